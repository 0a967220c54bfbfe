package dev.sotto.server.directory;

/** How many one-time prekeys of each kind a device has left in the directory. */
public record PreKeyCounts(int oneTime, int oneTimeKem) {
  /** Whether either kind is below {@code threshold}. */
  public boolean below(int threshold) {
    return oneTime < threshold || oneTimeKem < threshold;
  }
}
