package dev.sotto.client.core;

import java.util.Locale;
import java.util.Objects;

/**
 * A server's host and port as a user types them: {@code host:port}, {@code host} (port {@value
 * #DEFAULT_PORT}), {@code [ipv6]:port} or {@code [ipv6]}. The host is kept lower-cased, so one
 * server has one spelling in {@code known_servers} and in directory names.
 *
 * @param host a DNS name, an IPv4 address or an IPv6 address (without brackets)
 * @param port 1 to 65535
 */
public record ServerAddress(String host, int port) {

  /** The port the server listens on unless told otherwise. */
  public static final int DEFAULT_PORT = 7443;

  private static final int MAX_HOST_LENGTH = 253;

  /**
   * Validates and lower-cases the host.
   *
   * @throws IllegalArgumentException if the host is empty, too long or has characters no host name
   *     or address has, or the port is out of range
   */
  public ServerAddress {
    Objects.requireNonNull(host, "host");
    host = host.toLowerCase(Locale.ROOT);
    if (host.isEmpty() || host.length() > MAX_HOST_LENGTH) {
      throw new IllegalArgumentException(
          "expected a host name of 1 to " + MAX_HOST_LENGTH + " characters, got " + host.length());
    }
    boolean ipv6 = host.indexOf(':') >= 0;
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || (!ipv6 && (c == '-' || c == '_'))
              || (ipv6 && (c == ':' || c == '%'));
      if (!ok) {
        throw new IllegalArgumentException("'" + host + "' is not a valid host name or address");
      }
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("expected a port from 1 to 65535, got " + port);
    }
  }

  /**
   * Parses {@code host:port}, {@code host}, {@code [ipv6]:port} or {@code [ipv6]}.
   *
   * @throws IllegalArgumentException with a sentence naming what is wrong
   */
  public static ServerAddress parse(String text) {
    Objects.requireNonNull(text, "text");
    String s = text.trim();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("expected a server address HOST:PORT, got nothing");
    }
    String host;
    String portText = null;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("'" + s + "' opens '[' but never closes it");
      }
      host = s.substring(1, close);
      String rest = s.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw new IllegalArgumentException("expected ':' and a port after ']' in '" + s + "'");
        }
        portText = rest.substring(1);
      }
    } else {
      int colon = s.indexOf(':');
      if (colon >= 0 && s.indexOf(':', colon + 1) >= 0) {
        throw new IllegalArgumentException(
            "write an IPv6 address in brackets, e.g. [" + s + "]:" + DEFAULT_PORT);
      }
      host = colon < 0 ? s : s.substring(0, colon);
      portText = colon < 0 ? null : s.substring(colon + 1);
    }
    int port = DEFAULT_PORT;
    if (portText != null) {
      if (portText.isEmpty()
          || portText.length() > 5
          || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException(
            "'" + portText + "' is not a port number in '" + s + "'");
      }
      port = Integer.parseInt(portText);
    }
    return new ServerAddress(host, port);
  }

  /** {@code host:port}, with brackets around an IPv6 host; {@link #parse} reads it back. */
  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
