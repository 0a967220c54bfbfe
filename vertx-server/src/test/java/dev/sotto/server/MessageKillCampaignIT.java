package dev.sotto.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The message crash campaign ({@link MessageKillCampaign}). Quick mode by default (about 90 s: kill
 * cycles for 40 s, as many kill cycles as fit, the MapDB file damaged after the second, 4 users
 * sending unpaced). {@code scripts/message-kill-campaign.sh} runs the full mode through system
 * properties: {@code sotto.msgkill.cycles}, {@code .seconds}, {@code .seed}, {@code .report} (a
 * Markdown file the figures are written to), and for a heavier load {@code .users}, {@code .rate}
 * (messages per second offered in all, 0 = unpaced), {@code .payload} (bytes, 0 = random 16-2015),
 * {@code .pairs} (fixed W1-style partners), {@code .minKillMs}, {@code .maxKillMs} and {@code
 * .heap} (the server JVM's {@code -Xmx}).
 */
class MessageKillCampaignIT {

  @TempDir Path temp;

  @Test
  void killMinus9DuringTraffic_everyStoredMessageDeliveredExactlyOnce_accountsSurvive()
      throws Exception {
    int cycles = Integer.getInteger("sotto.msgkill.cycles", 40);
    long seconds = Long.getLong("sotto.msgkill.seconds", 40);
    long seed = Long.getLong("sotto.msgkill.seed", System.nanoTime());
    MessageKillCampaign.Load load =
        new MessageKillCampaign.Load(
            Integer.getInteger("sotto.msgkill.rate", 0),
            Integer.getInteger("sotto.msgkill.payload", 0),
            Boolean.getBoolean("sotto.msgkill.pairs"));
    MessageKillCampaign.Settings settings =
        new MessageKillCampaign.Settings(
            cycles,
            Duration.ofSeconds(seconds),
            seed,
            Integer.getInteger("sotto.msgkill.users", 4),
            Integer.getInteger("sotto.msgkill.minKillMs", 300),
            Integer.getInteger("sotto.msgkill.maxKillMs", 3000),
            2,
            load,
            System.getProperty("sotto.msgkill.heap", "256m"),
            temp);
    System.out.println("message kill campaign seed=" + seed);
    MessageKillCampaign.Result r = new MessageKillCampaign(settings).run();
    String report = MessageKillCampaign.report(settings, r);
    System.out.println(report);
    String out = System.getProperty("sotto.msgkill.report");
    if (out != null && !out.isBlank()) {
      Files.writeString(Path.of(out), report, StandardCharsets.UTF_8);
    }
    assertThat(r.problems()).isEmpty();
    assertThat(r.acked()).as("messages acknowledged").isPositive();
    assertThat(r.lost()).as("lost").isZero();
    assertThat(r.duplicated()).as("duplicated").isZero();
    assertThat(r.rebuilds()).as("MapDB rebuilds").isPositive();
    assertThat(r.cycles().size()).isGreaterThanOrEqualTo(3);
    assertThat(r.cycles())
        .as("every restart's store open was timed")
        .allSatisfy(c -> assertThat(c.startup().storeOpenMs()).isNotNegative());
    assertThat(r.cycles().subList(1, r.cycles().size()))
        .as("kill to listening is measured from the kill")
        .allSatisfy(
            c ->
                assertThat(c.startup().killToListeningMs())
                    .isGreaterThanOrEqualTo(c.startup().launchToListeningMs()));
  }
}
