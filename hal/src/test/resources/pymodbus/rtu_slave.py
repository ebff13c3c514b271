"""An independent Modbus RTU slave for interop tests: Debian's python3-pymodbus (3.0) on a serial device.

Usage: python3 rtu_slave.py <device> <baud> <slave-id>

Tables (addresses 0..99): holding register i = 1000 + i, input register i = 2000 + i,
coil i = (i % 3 == 0), discrete input i = (i % 2 == 1). Writes to holding registers are kept.
Prints "ready" on stdout once it listens.
"""
import asyncio
import logging
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.framer.rtu_framer import ModbusRtuFramer
from pymodbus.server import StartAsyncSerialServer

logging.basicConfig(level=logging.WARNING)


async def main(device, baud, slave_id):
    store = ModbusSlaveContext(
        di=ModbusSequentialDataBlock(0, [i % 2 == 1 for i in range(100)]),
        co=ModbusSequentialDataBlock(0, [i % 3 == 0 for i in range(100)]),
        hr=ModbusSequentialDataBlock(0, [1000 + i for i in range(100)]),
        ir=ModbusSequentialDataBlock(0, [2000 + i for i in range(100)]),
        zero_mode=True,
    )
    context = ModbusServerContext(slaves={slave_id: store}, single=False)
    server = await StartAsyncSerialServer(
        context=context, framer=ModbusRtuFramer, port=device, baudrate=baud,
        bytesize=8, parity="N", stopbits=1, defer_start=True)
    await server.start()  # opens the serial port (serve_forever alone does not, for serial servers)
    if server.transport is None:
        print("cannot open " + device, flush=True)
        sys.exit(1)
    print("ready", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
