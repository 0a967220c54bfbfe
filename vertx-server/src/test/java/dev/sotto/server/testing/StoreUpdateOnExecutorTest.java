package dev.sotto.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code Store.update(fn, executor)} as a store without its own version gives it. */
class StoreUpdateOnExecutorTest {

  @Test
  void completesThroughTheExecutor() throws Exception {
    List<Runnable> held = new ArrayList<>();
    Executor executor = held::add;
    CompletableFuture<String> f = new InMemoryStore().update(txn -> "done", executor);
    assertThat(held).hasSize(1);
    assertThat(f).isNotDone();
    held.get(0).run();
    assertThat(f.get(1, TimeUnit.SECONDS)).isEqualTo("done");
  }

  @Test
  void anExecutorThatRefuses_stillCompletes() throws Exception {
    Executor shutDown =
        task -> {
          throw new RejectedExecutionException("shut down");
        };
    CompletableFuture<String> f = new InMemoryStore().update(txn -> "done", shutDown);
    assertThat(f.get(1, TimeUnit.SECONDS)).isEqualTo("done");
  }
}
