package io.oneloop.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * At most so many series per meter name: past the cap a new combination of tags is denied (its
 * updates go to a no-op meter), so no input a client controls can grow the registry, and with it
 * every scrape, without bound. Series already there keep counting. Said once per name in the log.
 */
final class SeriesCap implements MeterFilter {

  private static final Logger log = LoggerFactory.getLogger(SeriesCap.class);

  private final int maxPerName;
  /** The ids let through, per name; guarded by each set's own lock. */
  private final Map<String, Set<Meter.Id>> accepted = new ConcurrentHashMap<>();
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  SeriesCap(int maxPerName) {
    this.maxPerName = maxPerName;
  }

  @Override
  public MeterFilterReply accept(Meter.Id id) {
    Set<Meter.Id> ids = accepted.computeIfAbsent(id.getName(), name -> new HashSet<>());
    synchronized (ids) {
      if (ids.contains(id)) {
        return MeterFilterReply.NEUTRAL;
      }
      if (ids.size() < maxPerName) {
        ids.add(id);
        return MeterFilterReply.NEUTRAL;
      }
    }
    if (warned.add(id.getName())) {
      log.warn("The metric {} has {} series, the most one metric may have: further series are not recorded", id.getName(),
        maxPerName);
    }
    return MeterFilterReply.DENY;
  }
}
