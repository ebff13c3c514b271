package com.oviron.callidus.hal.pi4j;

import com.oviron.callidus.hal.GpioLine;
import com.oviron.callidus.hal.GpioListener;
import com.oviron.callidus.hal.GpioPort;
import com.oviron.callidus.hal.GpioProvider;
import com.oviron.callidus.hal.GpioPull;
import com.oviron.callidus.hal.HalException;
import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.DigitalStateChangeEvent;
import com.pi4j.io.gpio.digital.PullResistance;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalInputProvider;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalOutputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.tinylog.Logger;

/**
 * The GPIO port on Pi4J 2: libgpiod on the controller, or Pi4J's mock provider on any other machine.
 *
 * <p>Debounce is done here in software, the same way for both providers (the mock provider has none, and
 * gpiod's is switched off). Threads: Pi4J's callbacks (on Pi4J's threads, or on the caller of
 * {@link #simulateRaw(String, boolean)} for the mock) only post the raw level to one daemon thread,
 * {@code gpio-events}. That thread debounces, updates the state {@link #isActive(String)} reads and calls the
 * listeners, one at a time.
 *
 * <p>One {@link GpioProvider#GPIOD} port per JVM: pi4j-plugin-gpiod keeps the chip in a JVM-wide singleton
 * that the first port to close would close for every other one. Mock ports each have their own Pi4J context
 * and do not see each other.
 */
public final class Pi4jGpioPort implements GpioPort {
    private static final long CLOSE_WAIT_SECONDS = 2;
    private static final AtomicBoolean GPIOD_OPEN = new AtomicBoolean();

    private final List<GpioLine> lines;
    private final GpioProvider provider;
    private final Clock clock;
    private final Context context;
    private final ScheduledExecutorService events;
    private final Map<String, Input> inputs = new LinkedHashMap<>();
    private final Map<String, Output> outputs = new LinkedHashMap<>();
    private final List<GpioListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Thread eventThread;

    /** Opens the lines, stamping events with the system clock (UTC). */
    public Pi4jGpioPort(List<GpioLine> lines, GpioProvider provider) throws HalException {
        this(lines, provider, Clock.systemUTC());
    }

    /**
     * Opens the lines: inputs read their current level, outputs start inactive.
     *
     * @param clock stamps the {@link GpioListener} events; debounce itself runs on the monotonic clock
     * @throws HalException             when Pi4J or the GPIO chip cannot be opened, a line is busy or does
     *                                  not exist, or another GPIOD port of this JVM is open
     * @throws IllegalArgumentException when two lines share a name or a pin
     */
    public Pi4jGpioPort(List<GpioLine> lines, GpioProvider provider, Clock clock) throws HalException {
        this.lines = GpioLine.requireDistinct(lines);
        this.provider = Objects.requireNonNull(provider, "provider");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (provider == GpioProvider.GPIOD && !GPIOD_OPEN.compareAndSet(false, true)) {
            throw new HalException("another GPIOD gpio port is open in this JVM; pi4j-plugin-gpiod shares one chip");
        }
        try {
            this.context = newContext(provider);
        } catch (HalException e) {
            releaseProvider();
            throw e;
        }
        this.events = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "gpio-events");
            thread.setDaemon(true);
            eventThread = thread;
            return thread;
        });
        for (GpioLine line : this.lines) {
            try {
                if (line.isInput()) {
                    inputs.put(line.name(), openInput(line));
                } else {
                    outputs.put(line.name(), openOutput(line));
                }
            } catch (RuntimeException e) {
                // Pi4J reports a missing chip, a busy line or a missing native library as runtime exceptions
                close();
                throw new HalException("gpio line could not be opened name=" + line.name() + " pin=" + line.pin()
                        + " provider=" + provider, e);
            }
            Logger.info("gpio line ready name={} pin={} direction={} activeLow={} provider={}",
                    line.name(), line.pin(), line.direction(), line.activeLow(), provider);
        }
    }

    private static Context newContext(GpioProvider provider) throws HalException {
        try {
            // providers added by hand: autodetection would pick whatever plugin jar is on the class path
            return switch (provider) {
                case MOCK -> Pi4J.newContextBuilder()
                        .add(MockDigitalInputProvider.newInstance(), MockDigitalOutputProvider.newInstance())
                        .build();
                case GPIOD -> Pi4J.newContextBuilder()
                        .add(GpioDDigitalInputProvider.newInstance(), GpioDDigitalOutputProvider.newInstance())
                        .build();
            };
        } catch (RuntimeException e) {
            throw new HalException("pi4j context could not be created for provider " + provider, e);
        }
    }

    private Input openInput(GpioLine line) {
        DigitalInput io = context.create(DigitalInput.newConfigBuilder(context)
                .id(line.name())
                .name(line.name())
                .address(line.pin())
                .pull(pullOf(line.pull()))
                .debounce(0L) // ours, in software (see Debouncer)
                .provider(provider == GpioProvider.MOCK ? MockDigitalInputProvider.ID : GpioDDigitalInputProvider.ID)
                .build());
        if (io instanceof MockDigitalInput mock) {
            // the mock starts every input LOW, which would read "active" on an activeLow line
            mock.mockState(DigitalState.getState(line.activeLow()));
        }
        Input input = new Input(line, io, logical(line, io.state()));
        io.addListener(event -> onPi4jEvent(input, event));
        if (provider != GpioProvider.MOCK) {
            // a real edge between the first read and addListener would go unseen until the next edge; the
            // mock changes only when simulateRaw is called, and a read here could race with that call
            events.execute(() -> onRaw(input, logical(line, io.state()), System.nanoTime(), clock.instant()));
        }
        return input;
    }

    private Output openOutput(GpioLine line) {
        DigitalState inactive = DigitalState.getState(line.activeLow());
        DigitalOutput io = context.create(DigitalOutput.newConfigBuilder(context)
                .id(line.name())
                .name(line.name())
                .address(line.pin())
                .initial(inactive)
                .shutdown(inactive)
                .provider(provider == GpioProvider.MOCK ? MockDigitalOutputProvider.ID : GpioDDigitalOutputProvider.ID)
                .build());
        return new Output(line, io);
    }

    /** Runs on a Pi4J thread (gpiod) or the caller of {@code mockState} (mock): post and return. */
    private void onPi4jEvent(Input input, DigitalStateChangeEvent<?> event) {
        long nanos = System.nanoTime();
        Instant at = clock.instant();
        DigitalState state = event.state();
        if (state == DigitalState.UNKNOWN) {
            return;
        }
        boolean active = input.line.activeLow() != state.isHigh();
        try {
            events.execute(() -> onRaw(input, active, nanos, at));
        } catch (RejectedExecutionException e) {
            // closing: the change no longer matters
        }
    }

    /** On gpio-events. */
    private void onRaw(Input input, boolean active, long nanos, Instant at) {
        if (active == input.debouncer.rawLevel()) {
            return; // no edge: a repeated event or the resync after opening
        }
        input.edgeAt = at;
        if (input.debouncer.raw(active, nanos)) {
            accept(input);
        } else {
            scheduleCheck(input);
        }
    }

    /** On gpio-events. */
    private void check(Input input) {
        if (input.debouncer.poll(System.nanoTime())) {
            accept(input);
        } else {
            scheduleCheck(input);
        }
    }

    private void scheduleCheck(Input input) {
        OptionalLong until = input.debouncer.pendingUntil();
        if (until.isEmpty() || input.checkScheduled) {
            return;
        }
        input.checkScheduled = true;
        long delay = Math.max(0, until.getAsLong() - System.nanoTime());
        try {
            events.schedule(() -> {
                input.checkScheduled = false;
                check(input);
            }, delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            input.checkScheduled = false; // closing
        }
    }

    private void accept(Input input) {
        boolean active = input.debouncer.stable();
        input.active = active;
        Logger.debug("gpio input changed name={} active={}", input.line.name(), active);
        for (GpioListener listener : listeners) {
            if (closed.get()) {
                return;
            }
            try {
                listener.changed(input.line.name(), active, input.edgeAt);
            } catch (RuntimeException e) {
                Logger.error(e, "gpio listener failed input={} active={}", input.line.name(), active);
            }
        }
    }

    @Override
    public List<GpioLine> lines() {
        return lines;
    }

    @Override
    public boolean isActive(String input) {
        requireOpen();
        return input(input).active;
    }

    @Override
    public void set(String output, boolean active) throws HalException {
        requireOpen();
        Output out = output(output);
        try {
            out.io.state(DigitalState.getState(out.line.activeLow() != active));
        } catch (RuntimeException e) {
            throw new HalException("gpio output could not be set name=" + output + " active=" + active, e);
        }
    }

    @Override
    public boolean isOutputActive(String output) {
        requireOpen();
        Output out = output(output);
        return logical(out.line, out.io.state());
    }

    @Override
    public void addListener(GpioListener listener) {
        Objects.requireNonNull(listener, "listener");
        requireOpen();
        listeners.add(listener);
    }

    /**
     * Sets the electrical level of an input, as if the unit had driven the pin. Only for the
     * {@link GpioProvider#MOCK} provider (tests and the demo). The change goes through debounce and reaches
     * listeners on {@code gpio-events} like a real one.
     *
     * @throws IllegalStateException    with the {@link GpioProvider#GPIOD} provider, or after {@link #close()}
     * @throws IllegalArgumentException if {@code input} is not the name of an input of this port
     */
    public void simulateRaw(String input, boolean electricalHigh) {
        requireOpen();
        if (provider != GpioProvider.MOCK) {
            throw new IllegalStateException("simulateRaw needs the MOCK gpio provider, this port uses " + provider);
        }
        ((MockDigitalInput) input(input).io).mockState(DigitalState.getState(electricalHigh));
    }

    /** The electrical level an output drives now; for tests of the activeLow wiring. */
    boolean isOutputHigh(String output) {
        return output(output).io.state().isHigh();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            context.shutdown(); // outputs go to their shutdown (inactive) level, gpiod stops its event threads
        } catch (RuntimeException e) {
            Logger.warn(e, "pi4j context did not shut down cleanly provider={}", provider);
        }
        events.shutdownNow();
        if (Thread.currentThread() != eventThread) {
            try {
                if (!events.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    Logger.warn("gpio listener still running after close waitSeconds={}", CLOSE_WAIT_SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        releaseProvider();
        Logger.info("gpio port closed provider={} lines={}", provider, lines.size());
    }

    private void releaseProvider() {
        if (provider == GpioProvider.GPIOD) {
            GPIOD_OPEN.set(false);
        }
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("gpio port is closed");
        }
    }

    private Input input(String name) {
        Input input = inputs.get(name);
        if (input == null) {
            throw new IllegalArgumentException(outputs.containsKey(name)
                    ? "gpio line '" + name + "' is an output, not an input"
                    : "no gpio input named '" + name + "'");
        }
        return input;
    }

    private Output output(String name) {
        Output output = outputs.get(name);
        if (output == null) {
            throw new IllegalArgumentException(inputs.containsKey(name)
                    ? "gpio line '" + name + "' is an input, not an output"
                    : "no gpio output named '" + name + "'");
        }
        return output;
    }

    private static boolean logical(GpioLine line, DigitalState state) {
        return line.activeLow() != state.isHigh();
    }

    private static PullResistance pullOf(GpioPull pull) {
        return switch (pull) {
            case NONE -> PullResistance.OFF;
            case UP -> PullResistance.PULL_UP;
            case DOWN -> PullResistance.PULL_DOWN;
        };
    }

    /** One input. {@code debouncer}, {@code edgeAt} and {@code checkScheduled} belong to gpio-events. */
    private static final class Input {
        final GpioLine line;
        final DigitalInput io;
        final Debouncer debouncer;
        volatile boolean active;
        Instant edgeAt;
        boolean checkScheduled;

        Input(GpioLine line, DigitalInput io, boolean active) {
            this.line = line;
            this.io = io;
            this.active = active;
            this.debouncer = new Debouncer(line.debounce(), active);
        }
    }

    private record Output(GpioLine line, DigitalOutput io) {
    }
}
