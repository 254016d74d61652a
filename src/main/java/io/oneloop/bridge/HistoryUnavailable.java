package io.oneloop.bridge;

/** A message to an address with history that its history could not take: the address is the message. */
public final class HistoryUnavailable extends RuntimeException {

  private final String address;

  public HistoryUnavailable(String address, Throwable cause) {
    super("history unavailable: " + address, cause, false, false);
    this.address = address;
  }

  public String address() {
    return address;
  }
}
