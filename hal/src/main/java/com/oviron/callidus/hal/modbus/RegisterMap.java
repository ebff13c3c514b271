package com.oviron.callidus.hal.modbus;

import java.util.List;
import java.util.Objects;

/**
 * The board's register map: every channel the agent reads over Modbus. Loaded and validated by
 * {@link RegisterMapLoader}; the format is in docs/hardware.md.
 *
 * @param name     a label for logs (e.g. "CALLIDUS main board v1")
 * @param channels the channels, in reporting order
 */
public record RegisterMap(String name, List<RegisterChannel> channels) {
    public RegisterMap {
        Objects.requireNonNull(name, "name");
        channels = List.copyOf(channels);
    }
}
