package dev.sotto.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code Store.update(fn, executor)} as a store without its own version gives it. */
class StoreUpdateOnExecutorTest {

  @Test
  void completesThroughTheExecutor() throws Exception {
    // InMemoryStore runs updates on its own thread: the task arrives from there.
    BlockingQueue<Runnable> held = new LinkedBlockingQueue<>();
    Executor executor = held::add;
    CompletableFuture<String> f = new InMemoryStore().update(txn -> "done", executor);
    Runnable task = held.poll(10, TimeUnit.SECONDS);
    assertThat(task).as("the completion handed to the executor").isNotNull();
    assertThat(f).isNotDone();
    task.run();
    assertThat(f.get(1, TimeUnit.SECONDS)).isEqualTo("done");
    assertThat(held).isEmpty();
  }

  @Test
  void anExecutorThatRefuses_stillCompletes() throws Exception {
    Executor shutDown =
        task -> {
          throw new RejectedExecutionException("shut down");
        };
    CompletableFuture<String> f = new InMemoryStore().update(txn -> "done", shutDown);
    assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("done");
  }
}
