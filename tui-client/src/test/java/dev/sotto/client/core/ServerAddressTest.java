package dev.sotto.client.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ServerAddressTest {

  @ParameterizedTest
  @CsvSource({
    "chat.example.org:9000, chat.example.org, 9000, chat.example.org:9000",
    "Chat.Example.ORG, chat.example.org, 7443, chat.example.org:7443",
    "192.168.1.20:7443, 192.168.1.20, 7443, 192.168.1.20:7443",
    "'[::1]:8443', ::1, 8443, '[::1]:8443'",
    "'[fe80::1%eth0]', fe80::1%eth0, 7443, '[fe80::1%eth0]:7443'",
    "' localhost:1 ', localhost, 1, localhost:1",
  })
  void parse_validForms_roundTrip(String text, String host, int port, String printed) {
    ServerAddress a = ServerAddress.parse(text);
    assertThat(a.host()).isEqualTo(host);
    assertThat(a.port()).isEqualTo(port);
    assertThat(a.toString()).isEqualTo(printed);
    assertThat(ServerAddress.parse(a.toString())).isEqualTo(a);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "host:",
        "host:0",
        "host:65536",
        "host:12x",
        "host:-1",
        "::1",
        "[::1",
        "[::1]8443",
        "bad host:1",
        "a/b:1",
        ":7443"
      })
  void parse_invalid_refusedWithSentence(String text) {
    assertThatThrownBy(() -> ServerAddress.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .message()
        .isNotBlank();
  }

  @Test
  void parse_bareIpv6_suggestsBrackets() {
    assertThatThrownBy(() -> ServerAddress.parse("fe80::1")).hasMessageContaining("[fe80::1]:7443");
  }
}
