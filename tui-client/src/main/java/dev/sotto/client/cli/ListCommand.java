package dev.sotto.client.cli;

import dev.sotto.client.core.messaging.ConversationSummary;
import dev.sotto.client.core.messaging.Messenger;
import dev.sotto.client.core.messaging.UserInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;

/** {@code sotto list}: the server's users with presence, unread counts and blocks. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = {
      "List the server's users: name, presence, unread messages in the local store, and whether"
          + " you block them. One user per line, fields separated by tabs."
    })
final class ListCommand extends MessengerCommand {

  @Override
  int run(Messenger m) throws Exception {
    List<UserInfo> users = m.users().get(30, TimeUnit.SECONDS);
    Map<String, Integer> unread = new HashMap<>();
    for (ConversationSummary c : m.conversations()) {
      unread.put(c.peer(), c.unread());
    }
    for (UserInfo u : users) {
      ctx()
          .out()
          .println(
              u.name()
                  + "\t"
                  + u.presence().name().toLowerCase(Locale.ROOT)
                  + "\t"
                  + unread.getOrDefault(u.name(), 0)
                  + " unread"
                  + (u.blocked() ? "\tblocked" : ""));
    }
    ctx().out().flush();
    return ExitCodes.OK;
  }
}
