package com.oviron.callidus.cloud.paho;

import com.oviron.callidus.cloud.testing.MosquittoBroker;
import com.oviron.callidus.cloud.testing.TestBroker;
import java.nio.file.Path;

class PahoMqttConnectionMosquittoIT extends PahoMqttConnectionContract {
    @Override
    TestBroker startBroker(Path dir) {
        return MosquittoBroker.start(dir);
    }
}
