package com.oviron.callidus.cloud.paho;

import com.oviron.callidus.cloud.MqttProtocol;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import com.oviron.callidus.cloud.testing.TestBroker;
import java.nio.file.Path;

/** The connection's contract against HiveMQ CE in this JVM, MQTT 5. */
class Paho5MqttConnectionHiveMqIT extends PahoMqttConnectionContract {
    @Override
    TestBroker startBroker(Path dir) {
        return EmbeddedBroker.start(dir);
    }

    @Override
    MqttProtocol protocol() {
        return MqttProtocol.MQTT_5;
    }
}
