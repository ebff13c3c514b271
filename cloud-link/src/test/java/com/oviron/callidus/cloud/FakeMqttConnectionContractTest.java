package com.oviron.callidus.cloud;

import com.oviron.callidus.cloud.fake.FakeMqttConnection;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The port's contract on the fake. */
class FakeMqttConnectionContractTest extends MqttConnectionPortContract {
    @Override
    protected Driver driver() {
        FakeMqttConnection fake = new FakeMqttConnection();
        return new Driver() {
            private boolean holding;

            @Override
            public MqttConnection connection() {
                return fake;
            }

            @Override
            public void up() {
                fake.start();
                fake.connect();
            }

            @Override
            public void holdAcknowledgements() {
                holding = true;
            }

            @Override
            public void acknowledge() {
                if (!holding) {
                    fake.publishes().forEach(FakeMqttConnection.Publish::ack);
                }
            }

            @Override
            public void endSession() {
                fake.disconnect("the broker went away");
            }

            @Override
            public boolean deliver(String topic, String text, List<String> got) {
                fake.deliver(topic, text.getBytes(StandardCharsets.UTF_8));
                return got.contains(text);
            }

            @Override
            public void close() {
                fake.close();
            }
        };
    }
}
