import { findOnPath } from '../../src/toolchain/compiler.js';

/**
 * Why the aarch64 cross-build tests cannot run here, or false. scripts/setup.sh
 * installs the cross packages where apt serves arm64 ones (Debian); elsewhere
 * (Ubuntu's x86_64 archive has none) those tests skip, saying so.
 */
const missing = ['aarch64-linux-musl-gcc', 'aarch64-linux-gnu-ar', 'qemu-aarch64-static'].filter((c) => !findOnPath(c, process.env.PATH ?? ''));
export const CROSS_SKIP: string | false = missing.length
  ? `the aarch64 cross tools are not installed (${missing.join(', ')}): scripts/setup.sh installs them where apt serves arm64 packages`
  : false;
