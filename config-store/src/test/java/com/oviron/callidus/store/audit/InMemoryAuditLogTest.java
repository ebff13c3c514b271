package com.oviron.callidus.store.audit;

import com.oviron.callidus.store.fake.InMemoryAuditLog;

class InMemoryAuditLogTest extends AuditLogContract {
    @Override
    AuditLog fresh() {
        return new InMemoryAuditLog(MAX);
    }
}
