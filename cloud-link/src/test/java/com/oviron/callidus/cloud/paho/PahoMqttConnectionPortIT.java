package com.oviron.callidus.cloud.paho;

import com.oviron.callidus.cloud.Backoff;
import com.oviron.callidus.cloud.LinkSettings;
import com.oviron.callidus.cloud.MqttConnection;
import com.oviron.callidus.cloud.MqttConnectionPortContract;
import com.oviron.callidus.cloud.MqttProtocol;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.MosquittoBroker;
import com.oviron.callidus.cloud.testing.TcpProxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The port's contract on the real connection (MQTT 5; in 3.1.1 a drop right after a publish is a refusal, see
 * {@link PahoMqttConnectionContract}), against Debian's mosquitto through a {@link TcpProxy} that can freeze and
 * cut the link.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PahoMqttConnectionPortIT extends MqttConnectionPortContract {
    @TempDir
    static Path dir;
    private MosquittoBroker broker;

    @BeforeAll
    void startBroker() {
        broker = MosquittoBroker.start(dir.resolve("mosquitto"));
    }

    @AfterAll
    void stopBroker() {
        broker.close();
    }

    @Override
    protected Driver driver() throws Exception {
        TcpProxy link = new TcpProxy(broker.port());
        String device = "CAL-PORT-1";
        LinkSettings settings = new LinkSettings(link.uri(), device, Duration.ofSeconds(30), Duration.ofSeconds(5),
                new Backoff(Duration.ofMillis(100), Duration.ofMillis(500)), Optional.empty(), Optional.empty(), 16)
                .withProtocol(MqttProtocol.MQTT_5);
        PahoMqttConnection connection = new PahoMqttConnection(settings, new Topics(device).status(), device, "test",
                Clock.systemUTC());
        CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-port-1", "unused/topic");
        return new Driver() {
            @Override
            public MqttConnection connection() {
                return connection;
            }

            @Override
            public void up() {
                connection.start();
                Await.until("connected", WAIT, connection::isConnected);
            }

            @Override
            public void holdAcknowledgements() {
                link.freeze();
            }

            @Override
            public void acknowledge() {
                // the broker acknowledges by itself
            }

            @Override
            public void endSession() {
                link.cut();
            }

            @Override
            public boolean deliver(String topic, String text, List<String> got) throws Exception {
                if (!got.contains(text)) {
                    cloud.publish(topic, text);
                }
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                while (System.nanoTime() < until && !got.contains(text)) {
                    Thread.onSpinWait();
                }
                return got.contains(text);
            }

            @Override
            public void close() throws Exception {
                link.thaw();
                connection.close();
                cloud.close();
                link.close();
            }
        };
    }
}
