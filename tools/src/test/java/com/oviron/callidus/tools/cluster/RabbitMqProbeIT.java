package com.oviron.callidus.tools.cluster;

import com.oviron.callidus.tools.testing.RabbitMqCluster;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.client.mqttv3.*;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

class RabbitMqProbeIT {
    static MqttClient client(String uri, String id, boolean clean, List<String> got) throws Exception {
        MqttClient c = new MqttClient(uri, id, new MemoryPersistence());
        c.setCallback(new MqttCallback() {
            public void connectionLost(Throwable cause) { got.add("LOST " + cause); }
            public void messageArrived(String topic, MqttMessage m) { got.add(topic + "=" + new String(m.getPayload()) + (m.isRetained() ? " (retained)" : "")); }
            public void deliveryComplete(IMqttDeliveryToken t) { }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(clean);
        o.setConnectionTimeout(10);
        o.setWill("probe/will/" + id, "gone".getBytes(), 1, false);
        c.connect(o);
        return c;
    }

    @Test
    void probe() throws Exception {
        RabbitMqCluster r = RabbitMqCluster.shared();
        System.out.println("START " + r.startLine());
        List<String> got = new CopyOnWriteArrayList<>();
        MqttClient p1 = client(r.mqttUri(1), "pub1", true, got);
        p1.publish("probe/retained/x", "on-node-1".getBytes(), 1, true);
        MqttClient p2 = client(r.mqttUri(2), "pub2", true, got);
        p2.publish("probe/retained/y", "on-node-2".getBytes(), 1, true);
        List<String> s2got = new CopyOnWriteArrayList<>();
        MqttClient s2 = client(r.mqttUri(2), "sub2", true, s2got);
        s2.subscribe("probe/retained/x", 1);
        s2.subscribe("probe/retained/y", 1);
        s2.subscribe("probe/retained/+", 1);
        Thread.sleep(2000);
        System.out.println("RETAINED on node 2: " + s2got);
        List<String> s1got = new CopyOnWriteArrayList<>();
        MqttClient s1 = client(r.mqttUri(1), "sub1", true, s1got);
        s1.subscribe("probe/retained/x", 1);
        s1.subscribe("probe/will/#", 1);
        Thread.sleep(2000);
        System.out.println("RETAINED on node 1: " + s1got);

        // client id takeover across nodes
        List<String> a = new CopyOnWriteArrayList<>();
        MqttClient ua = client(r.mqttUri(1), "unit-x", true, a);
        List<String> b = new CopyOnWriteArrayList<>();
        MqttClient ub = client(r.mqttUri(2), "unit-x", true, b);
        Thread.sleep(3000);
        System.out.println("TAKEOVER first=" + a + " connected=" + ua.isConnected() + " second connected=" + ub.isConnected());
        // will on abrupt disconnect
        ub.disconnectForcibly(0, 100, false);
        Thread.sleep(3000);
        System.out.println("WILL at node 1 subscriber: " + s1got);

        // persistent session on node 3, then node 3 dies
        List<String> sess = new CopyOnWriteArrayList<>();
        MqttClient ps = client(r.mqttUri(3), "persist-1", false, sess);
        ps.subscribe("probe/cmd/persist-1", 1);
        ps.disconnect();
        ps.close();
        System.out.println("QUEUES " + r.ctl(1, "list_queues", "name", "type", "durable", "pid", "messages"));
        p1.publish("probe/cmd/persist-1", "while-away".getBytes(), 1, false);
        r.kill(3);
        List<String> sess2 = new CopyOnWriteArrayList<>();
        try {
            MqttClient ps2 = client(r.mqttUri(1), "persist-1", false, sess2);
            System.out.println("RECONNECT on node 1 with session home dead: connected=" + ps2.isConnected());
            try {
                ps2.subscribe("probe/cmd/persist-1", 1);
                System.out.println("SUBSCRIBE ok");
            } catch (Exception e) {
                System.out.println("SUBSCRIBE failed " + e);
            }
            Thread.sleep(2000);
            System.out.println("SESSION msgs " + sess2 + " connected=" + ps2.isConnected());
            try { ps2.disconnect(); } catch (Exception e) { }
            ps2.close();
        } catch (Exception e) {
            System.out.println("RECONNECT failed " + e + " cause " + e.getCause());
        }
        // clean session connect while node 3 dead
        try {
            MqttClient c3 = client(r.mqttUri(1), "persist-1", true, sess2);
            System.out.println("CLEAN connect ok=" + c3.isConnected());
            c3.disconnect();
            c3.close();
        } catch (Exception e) {
            System.out.println("CLEAN connect failed " + e);
        }
        System.out.println(r.startNode(3));
        List<String> sess3 = new CopyOnWriteArrayList<>();
        MqttClient ps3 = client(r.mqttUri(2), "persist-1", false, sess3);
        ps3.subscribe("probe/cmd/persist-1", 1);
        Thread.sleep(2000);
        System.out.println("CONNS " + r.ctl(1, "list_connections", "name", "protocol", "recv_oct", "send_oct", "client_properties"));
        System.out.println("AFTER node 3 back, session msgs " + sess3);
        System.out.println("QUEUES " + r.ctl(1, "list_queues", "name", "type", "durable", "pid", "messages"));
    }
}
