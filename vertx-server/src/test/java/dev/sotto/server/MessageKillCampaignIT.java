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
 * cycles for 50 s, as many kill cycles as fit, the MapDB file damaged after the second). {@code
 * scripts/message-kill-campaign.sh} runs the full mode through the system properties {@code
 * sotto.msgkill.cycles}, {@code .seconds}, {@code .seed} and {@code .report} (a Markdown file the
 * figures are written to).
 */
class MessageKillCampaignIT {

  @TempDir Path temp;

  @Test
  void killMinus9DuringTraffic_everyStoredMessageDeliveredExactlyOnce_accountsSurvive()
      throws Exception {
    int cycles = Integer.getInteger("sotto.msgkill.cycles", 40);
    long seconds = Long.getLong("sotto.msgkill.seconds", 50);
    long seed = Long.getLong("sotto.msgkill.seed", System.nanoTime());
    MessageKillCampaign.Settings settings =
        new MessageKillCampaign.Settings(
            cycles, Duration.ofSeconds(seconds), seed, 4, 300, 3000, 2, temp);
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
  }
}
