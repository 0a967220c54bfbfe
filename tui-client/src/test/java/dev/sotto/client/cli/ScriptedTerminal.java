package dev.sotto.client.cli;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** A terminal whose answers are scripted; records every prompt and message. */
final class ScriptedTerminal implements Terminal {
  private final boolean interactive;
  private final Deque<String> answers = new ArrayDeque<>();
  final List<String> transcript = new ArrayList<>();

  ScriptedTerminal(boolean interactive, String... answers) {
    this.interactive = interactive;
    this.answers.addAll(List.of(answers));
  }

  @Override
  public boolean interactive() {
    return interactive;
  }

  @Override
  public char[] readPassword(String prompt) {
    transcript.add(prompt);
    String a = answers.poll();
    return a == null ? null : a.toCharArray();
  }

  @Override
  public String readLine(String prompt) {
    transcript.add(prompt);
    return answers.poll();
  }

  @Override
  public void tell(String message) {
    transcript.add(message);
  }
}
