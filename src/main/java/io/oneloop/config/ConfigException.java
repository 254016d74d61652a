package io.oneloop.config;

/** A config that cannot be read or is wrong; the message names the source and the key path. */
public class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
