/**
 * The emulator's default TCP port, in a module of its own so that the `miro-token` CLI can
 * show it in `--help` (`@miro-token/emulator/default-port`) without loading the emulator.
 * The one definition: the emulator's binary and the CLI's `emulator` command both use it.
 *
 * @since 0.1.0
 */

/**
 * The port `miro-token-emulator` and `miro-token emulator` listen on by default (`--port 0`
 * picks a free one).
 *
 * @category constants
 * @since 0.1.0
 */
export const DEFAULT_PORT = 8710;
