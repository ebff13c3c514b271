package com.oviron.callidus.store.settings;

import com.oviron.callidus.store.fake.InMemorySettingsVersions;

class InMemorySettingsVersionsTest extends SettingsVersionsContract {
    @Override
    SettingsVersions fresh() {
        return new InMemorySettingsVersions(MAX);
    }
}
