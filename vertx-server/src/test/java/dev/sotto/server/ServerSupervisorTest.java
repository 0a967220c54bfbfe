package dev.sotto.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServerSupervisorTest {
  /** An instance whose store failure the test triggers. */
  static final class FakeInstance implements ServerSupervisor.Instance {
    final CompletableFuture<Throwable> failure = new CompletableFuture<>();
    final CompletableFuture<Void> stopped = new CompletableFuture<>();

    @Override
    public CompletionStage<Throwable> storeFailure() {
      return failure;
    }

    @Override
    public void stop() {
      stopped.complete(null);
    }
  }

  /** Hands out the queued outcomes in order: an instance, or a start failure. */
  static final class ScriptedStarter implements ServerSupervisor.Starter {
    final ArrayDeque<Object> script = new ArrayDeque<>();
    final List<FakeInstance> started = new CopyOnWriteArrayList<>();

    @Override
    public synchronized ServerSupervisor.Instance start() throws IOException {
      Object next = script.isEmpty() ? new FakeInstance() : script.poll();
      if (next instanceof IOException e) {
        throw e;
      }
      FakeInstance i = (FakeInstance) next;
      started.add(i);
      return i;
    }
  }

  private final AtomicLong now = new AtomicLong();
  private ServerSupervisor supervisor;

  @AfterEach
  void stop() {
    if (supervisor != null) {
      supervisor.stop();
    }
  }

  private ServerSupervisor supervisor(ScriptedStarter starter, int maxRestarts) {
    supervisor =
        new ServerSupervisor(starter, maxRestarts, Duration.ofMinutes(10), Duration.ZERO, now::get);
    return supervisor;
  }

  /** Supervises a fresh first instance and returns it. */
  private static FakeInstance superviseFirst(ServerSupervisor s) {
    FakeInstance first = new FakeInstance();
    s.supervise(first);
    return first;
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(condition.getAsBoolean()).isTrue();
  }

  @Test
  void storeFails_failedInstanceStopped_newOneStartedAndSupervised() throws Exception {
    ScriptedStarter starter = new ScriptedStarter();
    ServerSupervisor s = supervisor(starter, 3);
    FakeInstance first = superviseFirst(s);
    assertThat(s.current()).isSameAs(first);

    first.failure.complete(new IllegalStateException("PointerChecksumBroken"));
    awaitTrue(() -> s.restartCount() == 1);
    assertThat(first.stopped).isDone();
    assertThat(starter.started).hasSize(1);
    FakeInstance second = starter.started.get(0);
    assertThat(s.current()).isSameAs(second);
    assertThat(second.stopped).isNotDone();

    // the new instance is watched in turn
    second.failure.complete(new IllegalStateException("again"));
    awaitTrue(() -> s.restartCount() == 2);
    assertThat(second.stopped).isDone();
    assertThat(s.current()).isSameAs(starter.started.get(1));
    assertThat(s.gaveUp().toCompletableFuture()).isNotDone();
  }

  @Test
  void startsKeepFailing_givesUpAfterTheLimit_withTheLastCause() throws Exception {
    ScriptedStarter starter = new ScriptedStarter();
    starter.script.add(new IOException("disk full 1"));
    starter.script.add(new IOException("disk full 2"));
    ServerSupervisor s = supervisor(starter, 2);
    FakeInstance first = superviseFirst(s);

    first.failure.complete(new IllegalStateException("broken"));
    Throwable cause = s.gaveUp().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(cause).hasMessage("disk full 2");
    assertThat(starter.started).isEmpty();
    assertThat(s.current()).isNull();
    assertThat(first.stopped).isDone();
  }

  @Test
  void failuresFartherApartThanTheWindow_neverExhaustTheLimit() throws Exception {
    ScriptedStarter starter = new ScriptedStarter();
    ServerSupervisor s = supervisor(starter, 1);
    FakeInstance running = superviseFirst(s);
    for (int i = 1; i <= 3; i++) {
      now.addAndGet(TimeUnit.MINUTES.toNanos(11));
      running.failure.complete(new IllegalStateException("failure " + i));
      int expected = i;
      awaitTrue(() -> s.restartCount() == expected);
      running = starter.started.get(i - 1);
      assertThat(s.current()).isSameAs(running);
    }
    assertThat(s.gaveUp().toCompletableFuture()).isNotDone();

    // a second failure within the window of the last restart exceeds a limit of one
    running.failure.complete(new IllegalStateException("too soon"));
    assertThat(s.gaveUp().toCompletableFuture().get(10, TimeUnit.SECONDS)).hasMessage("too soon");
    assertThat(s.restartCount()).isEqualTo(3);
  }

  @Test
  void stopped_aLaterStoreFailureStartsNothing() throws Exception {
    ScriptedStarter starter = new ScriptedStarter();
    ServerSupervisor s = supervisor(starter, 3);
    FakeInstance first = superviseFirst(s);
    s.stop();
    assertThat(first.stopped).isDone();
    first.failure.complete(new IllegalStateException("late"));
    Thread.sleep(100);
    assertThat(starter.started).isEmpty();
    assertThat(s.current()).isNull();
  }
}
