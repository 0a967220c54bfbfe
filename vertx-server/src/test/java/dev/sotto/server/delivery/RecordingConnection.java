package dev.sotto.server.delivery;

import dev.sotto.server.mailbox.Address;
import dev.sotto.server.mailbox.Envelope;
import dev.sotto.server.mailbox.MessageId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A {@link DeviceConnection} that records what would have been sent. */
final class RecordingConnection implements DeviceConnection {
  private final Address address;
  private final List<String> events = new ArrayList<>();
  private final List<Envelope> pushed = new ArrayList<>();
  private volatile boolean accepting = true;

  RecordingConnection(String user) {
    this.address = new Address(user, 1);
  }

  @Override
  public Address address() {
    return address;
  }

  @Override
  public synchronized boolean push(Envelope envelope) {
    if (!accepting) {
      return false;
    }
    pushed.add(envelope);
    events.add("push:" + new String(envelope.ciphertext(), StandardCharsets.UTF_8));
    return true;
  }

  @Override
  public synchronized void pushBacklogSummary(Map<String, Integer> countsBySender) {
    events.add("summary:" + countsBySender);
  }

  @Override
  public synchronized void pushBacklogDone() {
    events.add("done");
  }

  void accepting(boolean accepting) {
    this.accepting = accepting;
  }

  synchronized List<String> events() {
    return List.copyOf(events);
  }

  synchronized List<String> bodies() {
    return events.stream().filter(e -> e.startsWith("push:")).map(e -> e.substring(5)).toList();
  }

  synchronized long doneCount() {
    return events.stream().filter("done"::equals).count();
  }

  synchronized List<MessageId> pushedIds() {
    return pushed.stream().map(Envelope::messageId).toList();
  }
}
