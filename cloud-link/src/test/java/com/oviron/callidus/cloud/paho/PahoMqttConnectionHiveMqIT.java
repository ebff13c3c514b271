package com.oviron.callidus.cloud.paho;

import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import com.oviron.callidus.cloud.testing.TestBroker;
import java.nio.file.Path;

class PahoMqttConnectionHiveMqIT extends PahoMqttConnectionContract {
    @Override
    TestBroker startBroker(Path dir) {
        return EmbeddedBroker.start(dir);
    }
}
