package dev.sotto.server;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The server as the message crash campaign runs it in a child JVM: the real {@link SottoServer} on
 * the given data directory, port 0, with the integration tests' wide throttles (the campaign logs
 * in the same accounts from one address hundreds of times). Prints {@code listening on HOST:PORT}
 * and runs until killed.
 */
public final class CampaignServerMain {
  private CampaignServerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: CampaignServerMain DATA_DIR");
      System.exit(2);
    }
    SottoServer server = SottoServer.start(ServerIT.testConfig(Path.of(args[0])));
    System.out.println("listening on 127.0.0.1:" + server.port());
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
