package com.oviron.callidus.hal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One discrete signal of the unit, wired to one GPIO pin of the controller.
 *
 * @param name      stable machine name from configuration, used in events and logs (same rule as
 *                  {@link Channel#id()}: lower case, digits, '_'; at most 32 chars)
 * @param pin       BCM GPIO number, 0..63 (the line offset on the gpiochip, not the header pin number)
 * @param direction whether the agent reads or drives the line
 * @param activeLow {@code true} if an electrical LOW means "active" (a contact that closes to ground)
 * @param debounce  inputs: how long a new raw level must stay before it counts, 0..1 s; outputs: zero
 * @param pull      inputs: the internal bias resistor; outputs: {@link GpioPull#NONE}
 */
public record GpioLine(String name, int pin, GpioDirection direction, boolean activeLow, Duration debounce,
                       GpioPull pull) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,31}");
    /** Highest BCM number of any Raspberry Pi SoC GPIO bank. */
    public static final int MAX_PIN = 63;
    /** Longer than any contact bounce; a longer value would hide real short presses. */
    public static final Duration MAX_DEBOUNCE = Duration.ofSeconds(1);

    public GpioLine {
        Objects.requireNonNull(name, "gpio line name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("gpio line name '" + name + "' must match " + NAME.pattern());
        }
        Objects.requireNonNull(direction, "gpio line '" + name + "' direction");
        Objects.requireNonNull(debounce, "gpio line '" + name + "' debounce");
        Objects.requireNonNull(pull, "gpio line '" + name + "' pull");
        if (pin < 0 || pin > MAX_PIN) {
            throw new IllegalArgumentException(
                    "gpio line '" + name + "' pin must be 0.." + MAX_PIN + ", got " + pin);
        }
        if (debounce.isNegative() || debounce.compareTo(MAX_DEBOUNCE) > 0) {
            throw new IllegalArgumentException(
                    "gpio line '" + name + "' debounce must be 0..1 s, got " + debounce.toMillis() + " ms");
        }
        if (direction == GpioDirection.OUTPUT && !debounce.isZero()) {
            throw new IllegalArgumentException("gpio line '" + name
                    + "' debounce applies to inputs only, got " + debounce.toMillis() + " ms on an output");
        }
        if (direction == GpioDirection.OUTPUT && pull != GpioPull.NONE) {
            throw new IllegalArgumentException(
                    "gpio line '" + name + "' pull applies to inputs only, got " + pull + " on an output");
        }
    }

    /** An input line. */
    public static GpioLine input(String name, int pin, boolean activeLow, Duration debounce, GpioPull pull) {
        return new GpioLine(name, pin, GpioDirection.INPUT, activeLow, debounce, pull);
    }

    /** An output line; it has no debounce and no pull. */
    public static GpioLine output(String name, int pin, boolean activeLow) {
        return new GpioLine(name, pin, GpioDirection.OUTPUT, activeLow, Duration.ZERO, GpioPull.NONE);
    }

    public boolean isInput() {
        return direction == GpioDirection.INPUT;
    }

    /**
     * Checks that the lines of one port have distinct names and distinct pins.
     *
     * @return an unmodifiable copy in the same order
     * @throws IllegalArgumentException naming the first name or pin used twice
     */
    public static List<GpioLine> requireDistinct(List<GpioLine> lines) {
        Objects.requireNonNull(lines, "gpio lines");
        Map<String, GpioLine> byName = new HashMap<>();
        Map<Integer, GpioLine> byPin = new HashMap<>();
        List<GpioLine> copy = new ArrayList<>(lines.size());
        for (GpioLine line : lines) {
            Objects.requireNonNull(line, "gpio line");
            if (byName.putIfAbsent(line.name(), line) != null) {
                throw new IllegalArgumentException("gpio line name '" + line.name() + "' is used twice");
            }
            GpioLine other = byPin.putIfAbsent(line.pin(), line);
            if (other != null) {
                throw new IllegalArgumentException("gpio line '" + line.name() + "' pin " + line.pin()
                        + " is already used by gpio line '" + other.name() + "'");
            }
            copy.add(line);
        }
        return List.copyOf(copy);
    }
}
