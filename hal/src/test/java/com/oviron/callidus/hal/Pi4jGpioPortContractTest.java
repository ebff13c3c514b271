package com.oviron.callidus.hal;

import com.oviron.callidus.hal.pi4j.Pi4jGpioPort;
import java.util.List;

/** The port on Pi4J's mock provider: the same code path as on the controller, minus libgpiod. */
class Pi4jGpioPortContractTest extends GpioPortContract {

    @Override
    protected GpioPort open(List<GpioLine> lines) throws HalException {
        return new Pi4jGpioPort(lines, GpioProvider.MOCK);
    }

    @Override
    protected void drive(GpioPort port, String input, boolean electricalHigh) {
        ((Pi4jGpioPort) port).simulateRaw(input, electricalHigh);
    }
}
