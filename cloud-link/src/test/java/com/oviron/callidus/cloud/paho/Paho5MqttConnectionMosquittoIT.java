package com.oviron.callidus.cloud.paho;

import com.oviron.callidus.cloud.MqttProtocol;
import com.oviron.callidus.cloud.testing.MosquittoBroker;
import com.oviron.callidus.cloud.testing.TestBroker;
import java.nio.file.Path;

/** The connection's contract against Debian's mosquitto, MQTT 5. */
class Paho5MqttConnectionMosquittoIT extends PahoMqttConnectionContract {
    @Override
    TestBroker startBroker(Path dir) {
        return MosquittoBroker.start(dir);
    }

    @Override
    MqttProtocol protocol() {
        return MqttProtocol.MQTT_5;
    }
}
