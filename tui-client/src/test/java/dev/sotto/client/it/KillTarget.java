package dev.sotto.client.it;

import dev.sotto.client.core.ServerAddress;
import dev.sotto.client.core.messaging.MessengerEvent;
import java.nio.file.Path;

/**
 * The child JVM of {@link KillIT}: logs in as a {@link Peer} and either sends {@code count}
 * numbered messages as fast as it can ({@code send}), printing "committed i" after each commit, or
 * receives ({@code receive}), printing "received i" per message, until it is killed.
 */
public final class KillTarget {
  private KillTarget() {}

  /** {@code machineDir host port user peer count send|receive}. */
  public static void main(String[] args) throws Exception {
    Path machine = Path.of(args[0]);
    ServerAddress server = new ServerAddress(args[1], Integer.parseInt(args[2]));
    String user = args[3];
    String peer = args[4];
    int count = Integer.parseInt(args[5]);
    boolean send = args[6].equals("send");
    Peer p = new Peer(machine, server, user);
    if (!send) {
      Peer.Printer printer =
          e -> {
            if (e instanceof MessengerEvent.MessageReceived r) {
              System.out.println("received " + r.message().text());
              System.out.flush();
            }
          };
      p.onEvent(printer);
    }
    p.login();
    if (send) {
      for (int i = 0; i < count; i++) {
        p.m().send(peer, "k" + i).committed().get();
        System.out.println("committed " + i);
        System.out.flush();
      }
    }
    Thread.sleep(Long.MAX_VALUE);
  }
}
