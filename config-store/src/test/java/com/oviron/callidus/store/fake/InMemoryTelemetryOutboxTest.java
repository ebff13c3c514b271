package com.oviron.callidus.store.fake;

import com.oviron.callidus.store.TelemetryOutbox;
import com.oviron.callidus.store.TelemetryOutboxContract;

class InMemoryTelemetryOutboxTest extends TelemetryOutboxContract {
    @Override
    protected TelemetryOutbox create() {
        return new InMemoryTelemetryOutbox();
    }
}
