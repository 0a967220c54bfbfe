package dev.sotto.server;

import ch.qos.logback.classic.Level;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;

/**
 * The server as the message crash campaign runs it in a child JVM: the real {@link SottoServer} on
 * the given data directory, port 0, with the integration tests' wide throttles (the campaign logs
 * in the same accounts from one address hundreds of times). Logs the store's recovery phases (the
 * store's debug line), prints {@code startup jvm_ms=N server_start_ms=N} (JVM start to {@code
 * main}, then {@link SottoServer#start}) and {@code listening on HOST:PORT}, and runs until killed.
 */
public final class CampaignServerMain {
  private CampaignServerMain() {}

  public static void main(String[] args) throws Exception {
    long jvmMs = ManagementFactory.getRuntimeMXBean().getUptime();
    if (args.length != 1) {
      System.err.println("usage: CampaignServerMain DATA_DIR");
      System.exit(2);
    }
    if (LoggerFactory.getLogger("dev.sotto.store.JournaledStore")
        instanceof ch.qos.logback.classic.Logger store) {
      store.setLevel(Level.DEBUG);
    }
    long t0 = System.nanoTime();
    SottoServer server = SottoServer.start(ServerIT.testConfig(Path.of(args[0])));
    long startMs = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("startup jvm_ms=" + jvmMs + " server_start_ms=" + startMs);
    System.out.println("listening on 127.0.0.1:" + server.port());
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
