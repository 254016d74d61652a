package io.oneloop.config;

/** The {@code chat} config: how many messages one user may send a minute. */
public record ChatConfig(int maxPerMinute) {

  public static final ChatConfig DEFAULT = new ChatConfig(30);
}
