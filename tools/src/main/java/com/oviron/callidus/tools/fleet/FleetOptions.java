package com.oviron.callidus.tools.fleet;

import com.oviron.callidus.agent.AgentConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The options of {@code tools fleet}, validated; see {@link FleetCommand#USAGE}. */
record FleetOptions(int units, int complete, List<String> brokers, Optional<String> amqp, Optional<Path> clusterDir,
                    Set<String> scenarios, Duration warmup, Duration window, int restartNode, Duration restartDown,
                    Duration outage, int startRate, int maxConnectRate, Duration reconnectMin, Duration reconnectMax,
                    boolean persistentSession, int workers, Optional<Path> dataDir, String db, Duration maxWait,
                    Duration samplePeriod, Duration syncInterval, String protocol, String schedule,
                    Duration connectTimeout) {

    static FleetOptions parse(String[] args) throws IOException {
        Map<String, String> v = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i].startsWith("--") ? args[i] + " needs a value"
                        : "unexpected argument '" + args[i] + "'");
            }
            v.put(args[i].substring(2), args[++i]);
        }
        List<String> known = List.of("units", "complete", "broker", "amqp", "cluster-dir", "scenario", "warmup",
                "window", "restart-node", "restart-down", "outage", "start-rate", "max-connect-rate", "reconnect-min",
                "reconnect-max", "persistent-session", "workers", "data-dir", "db", "max-wait", "sample-period",
                "sync-interval", "protocol", "schedule", "connect-timeout");
        for (String k : v.keySet()) {
            if (!known.contains(k)) {
                throw new IllegalArgumentException("unknown option '--" + k + "'");
            }
        }
        int units = number(v, "units", -1, 1, 100_000);
        if (units < 0) {
            throw new IllegalArgumentException("--units is required");
        }
        int complete = number(v, "complete", Math.min(units, 100), 0, units);
        Optional<Path> clusterDir = Optional.ofNullable(v.get("cluster-dir")).map(Path::of);
        Map<String, String> cluster = clusterDir.isPresent() ? clusterEnv(clusterDir.get()) : Map.of();
        List<String> brokers = new ArrayList<>();
        if (v.containsKey("broker")) {
            brokers.addAll(List.of(v.get("broker").split(",")));
        } else {
            for (int n = 1; cluster.containsKey("NODE" + n + "_MQTT"); n++) {
                brokers.add("tcp://127.0.0.1:" + cluster.get("NODE" + n + "_MQTT"));
            }
        }
        if (brokers.isEmpty()) {
            throw new IllegalArgumentException("give --broker tcp://host:port[,...] or --cluster-dir");
        }
        Optional<String> amqp = Optional.ofNullable(v.get("amqp"));
        if (amqp.isEmpty() && !cluster.isEmpty()) {
            List<String> a = new ArrayList<>();
            for (int n = 1; cluster.containsKey("NODE" + n + "_AMQP"); n++) {
                a.add("127.0.0.1:" + cluster.get("NODE" + n + "_AMQP"));
            }
            amqp = Optional.of(String.join(",", a));
        }
        if (amqp.isPresent() && amqp.get().equals("none")) {
            amqp = Optional.empty();
        }
        Set<String> scenarios = Set.of(v.getOrDefault("scenario", "steady").split(","));
        for (String s : scenarios) {
            if (!List.of("steady", "restart", "outage").contains(s)) {
                throw new IllegalArgumentException("--scenario takes steady, restart, outage (comma-separated), got '"
                        + s + "'");
            }
        }
        if ((scenarios.contains("restart") || scenarios.contains("outage")) && clusterDir.isEmpty()) {
            throw new IllegalArgumentException("the restart and outage scenarios need --cluster-dir (tools/rabbitmq-cluster)");
        }
        int restartNode = number(v, "restart-node", 1, 1, brokers.size());
        Optional<Path> dataDir = Optional.ofNullable(v.get("data-dir")).map(Path::of);
        int maxConnectRate = number(v, "max-connect-rate", 200, 1, 1_000_000);
        // after an outage of the whole cluster every unit comes back at once, after a node's loss only its units
        Duration reconnectMin = v.containsKey("reconnect-min") ? duration(v, "reconnect-min", "1s")
                : reconnectMinFor(units, scenarios.contains("outage") ? 1 : brokers.size(), maxConnectRate);
        if (reconnectMin.compareTo(AgentConfigLoader.RECONNECT_SHORTEST) < 0
                || reconnectMin.compareTo(AgentConfigLoader.RECONNECT_MIN_LONGEST) > 0) {
            throw new IllegalArgumentException(v.containsKey("reconnect-min")
                    ? "--reconnect-min must be from 10ms to 10m (the agent's bounds), got '" + v.get("reconnect-min")
                            + "'"
                    : "--max-connect-rate " + maxConnectRate + " makes the units' first reconnect window "
                            + Fleet.fmt(reconnectMin) + ", above the agent's limit of 10m: give a higher rate or"
                            + " --reconnect-min");
        }
        Duration reconnectMax = reconnectMaxFor(v, reconnectMin);
        return new FleetOptions(units, complete, List.copyOf(brokers), amqp, clusterDir, scenarios,
                duration(v, "warmup", "20s"), duration(v, "window", "60s"), restartNode, duration(v, "restart-down", "20s"),
                duration(v, "outage", "1h"), number(v, "start-rate", 100, 1, 100_000),
                maxConnectRate, reconnectMin,
                reconnectMax, bool(v, "persistent-session", true),
                number(v, "workers", Math.max(4, Runtime.getRuntime().availableProcessors() * 2), 1, 1024), dataDir,
                v.getOrDefault("db", ""), duration(v, "max-wait", "10m"), duration(v, "sample-period", "100ms"),
                duration(v, "sync-interval", com.oviron.callidus.agent.AgentConfigLoader.DEFAULT_SYNC_INTERVAL.toMillis() + "ms"),
                protocol(v.getOrDefault("protocol", "auto")), schedule(v.getOrDefault("schedule", "register-map")),
                connectTimeout(v));
    }

    /**
     * The units' first reconnect window when the cluster takes {@code maxConnectRate} connects a second: the
     * units of a node that dies all try again within their first window ({@code mqtt.reconnectMin}, full
     * jitter), so it is twice their number over the rate (the busiest second of a uniform spread stays under
     * the rate with room to spare), and never below the agent's default. {@code nodes} is 1 when the whole
     * cluster goes down at once (the outage scenario): then every unit comes back in that window.
     */
    static Duration reconnectMinFor(int units, int nodes, int maxConnectRate) {
        long perNode = (units + nodes - 1) / nodes;
        Duration window = Duration.ofMillis((long) Math.ceil(2_000.0 * perNode / maxConnectRate));
        Duration agentDefault = com.oviron.callidus.agent.AgentConfigLoader.DEFAULT_RECONNECT_MIN;
        return window.compareTo(agentDefault) < 0 ? agentDefault : window;
    }

    /**
     * The units' mqtt.reconnectMax: the agent's 2 min unless given, but never below {@code reconnectMin} (the agent
     * refuses such a config; a backoff capped below its first window would silently shrink it to the cap).
     */
    private static Duration reconnectMaxFor(Map<String, String> v, Duration reconnectMin) {
        Duration agentDefault = AgentConfigLoader.DEFAULT_RECONNECT_MAX;
        if (!v.containsKey("reconnect-max")) {
            return reconnectMin.compareTo(agentDefault) > 0 ? reconnectMin : agentDefault;
        }
        Duration given = duration(v, "reconnect-max", "2m");
        if (given.compareTo(AgentConfigLoader.RECONNECT_MAX_LONGEST) > 0) {
            throw new IllegalArgumentException("--reconnect-max must be at most 1h (the agent's bound), got '"
                    + v.get("reconnect-max") + "'");
        }
        if (given.compareTo(reconnectMin) < 0) {
            throw new IllegalArgumentException("--reconnect-max " + v.get("reconnect-max")
                    + " is below the units' reconnectMin of " + Fleet.fmt(reconnectMin)
                    + " (from --reconnect-min, or from --max-connect-rate); give a larger one");
        }
        return given;
    }

    /** The units' mqtt.connectTimeout: whole seconds from 1 s to 5 min, as the agent takes it. */
    private static Duration connectTimeout(Map<String, String> v) {
        Duration d = duration(v, "connect-timeout", AgentConfigLoader.DEFAULT_CONNECT_TIMEOUT.toSeconds() + "s");
        if (d.toMillis() % 1000 != 0 || d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("--connect-timeout takes whole seconds from 1s to 5m, got '"
                    + v.get("connect-timeout") + "'");
        }
        return d;
    }

    private static String schedule(String s) {
        if (!List.of("register-map", "every-sample").contains(s)) {
            throw new IllegalArgumentException("--schedule takes register-map or every-sample, got '" + s + "'");
        }
        return s;
    }

    /** Whether the units sample as a unit does: the agent's default sampling period on the shipped map's schedule. */
    boolean defaultSampling() {
        return samplePeriod.equals(com.oviron.callidus.agent.AgentConfigLoader.DEFAULT_SAMPLE_PERIOD)
                && schedule.equals("register-map");
    }

    private static String protocol(String p) {
        if (!List.of("auto", "5", "3.1.1").contains(p)) {
            throw new IllegalArgumentException("--protocol takes auto, 5 or 3.1.1, got '" + p + "'");
        }
        return p;
    }

    private static Map<String, String> clusterEnv(Path dir) throws IOException {
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(dir.resolve("cluster.env"))) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return env;
    }

    private static int number(Map<String, String> v, String key, int dflt, int min, int max) {
        String text = v.get(key);
        if (text == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(text.trim());
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be a whole number from " + min + " to " + max
                    + ", got '" + text + "'");
        }
    }

    private static Duration duration(Map<String, String> v, String key, String dflt) {
        String text = v.getOrDefault(key, dflt);
        return AgentConfigLoader.parseDuration(text).orElseThrow(() -> new IllegalArgumentException(
                "--" + key + " must be a duration like 30s, 5m or 1h, got '" + text + "'"));
    }

    private static boolean bool(Map<String, String> v, String key, boolean dflt) {
        String text = v.get(key);
        if (text == null) {
            return dflt;
        }
        if (!text.equals("true") && !text.equals("false")) {
            throw new IllegalArgumentException("--" + key + " must be true or false, got '" + text + "'");
        }
        return Boolean.parseBoolean(text);
    }

    /** The MQTT ports of the brokers, for the byte counts. */
    List<Integer> brokerPorts() {
        return brokers.stream().map(b -> Integer.parseInt(b.substring(b.lastIndexOf(':') + 1))).toList();
    }
}
