package io.jenet.internal.compress;

/**
 * ENet's adaptive order-2 PPM range coder ({@code enet_range_coder_compress/decompress}),
 * reproduced so that its output is byte-identical to C ENet's for the same input and it decodes
 * C ENet's output. The model is reset for every datagram and lives in a pool of 4096 symbols.
 *
 * <p>The C code relies on fixed-width unsigned fields (u8 counts, u16 totals and tree offsets,
 * u32 coder state); the arrays below hold those fields as ints and every write masks to the C
 * width, so wrap-around happens exactly where it happens in C.
 *
 * <p>Decoding never throws and never writes past its output limit; a corrupt stream yields 0.
 *
 * <p>Thread-safety: not thread-safe (the symbol pool is reused); use one instance per host.
 */
public final class RangeCoder implements Compressor {
    private static final int TOP = 1 << 24;
    private static final int BOTTOM = 1 << 16;
    private static final int CONTEXT_SYMBOL_DELTA = 3;
    private static final int CONTEXT_SYMBOL_MINIMUM = 1;
    private static final int CONTEXT_ESCAPE_MINIMUM = 1;
    private static final int SUBCONTEXT_ORDER = 2;
    private static final int SUBCONTEXT_SYMBOL_DELTA = 2;
    private static final int SUBCONTEXT_ESCAPE_DELTA = 5;
    private static final int SYMBOL_POOL = 4096;
    /** Write target meaning "the local variable predicted" rather than a symbol's parent field. */
    private static final int PREDICTED_SLOT = -1;

    // The symbol pool laid out as C's 16-byte ENetSymbol: eight u16 slots per symbol in one char[],
    // so a symbol is one cache-line access. Slot 0 holds value (low byte) and count (high byte).
    private static final int STRIDE = 8;
    private static final int VALUE_COUNT = 0;
    private static final int UNDER = 1;
    private static final int LEFT = 2;
    private static final int RIGHT = 3;
    private static final int SYMBOLS = 4;
    private static final int ESCAPES = 5;
    private static final int TOTAL = 6;
    private static final int PARENT = 7;
    private final char[] pool = new char[SYMBOL_POOL * STRIDE];

    private int value(int s) { return pool[s * STRIDE] & 0xFF; }
    private int count(int s) { return pool[s * STRIDE] >>> 8; }
    private void setCount(int s, int c) { int i = s * STRIDE; pool[i] = (char) ((pool[i] & 0xFF) | ((c & 0xFF) << 8)); }
    private int under(int s) { return pool[s * STRIDE + UNDER]; }
    private void setUnder(int s, int v) { pool[s * STRIDE + UNDER] = (char) v; }
    private int left(int s) { return pool[s * STRIDE + LEFT]; }
    private void setLeft(int s, int v) { pool[s * STRIDE + LEFT] = (char) v; }
    private int right(int s) { return pool[s * STRIDE + RIGHT]; }
    private void setRight(int s, int v) { pool[s * STRIDE + RIGHT] = (char) v; }
    private int symbols(int s) { return pool[s * STRIDE + SYMBOLS]; }
    private void setSymbols(int s, int v) { pool[s * STRIDE + SYMBOLS] = (char) v; }
    private int escapes(int s) { return pool[s * STRIDE + ESCAPES]; }
    private void setEscapes(int s, int v) { pool[s * STRIDE + ESCAPES] = (char) v; }
    private int total(int s) { return pool[s * STRIDE + TOTAL]; }
    private void setTotal(int s, int v) { pool[s * STRIDE + TOTAL] = (char) v; }
    private int parent(int s) { return pool[s * STRIDE + PARENT]; }
    private void setParentField(int s, int v) { pool[s * STRIDE + PARENT] = (char) v; }

    private int nextSymbol;
    private int predicted;
    private int order;

    // Coder state (u32 as int) and I/O cursors.
    private int low;
    private int range;
    private int code;
    private byte[] io;
    private int ioPos;
    private int ioEnd;

    // Results of the last context walk.
    private int foundSymbol;
    private int foundUnder;
    private int foundCount;
    private int foundValue;

    /** Creates a coder with its own symbol pool. */
    public RangeCoder() {}

    private int createSymbol(int v, int c) {
        int s = nextSymbol++;
        int i = s * STRIDE;
        pool[i] = (char) ((v & 0xFF) | ((c & 0xFF) << 8));
        pool[i + UNDER] = (char) c;
        pool[i + LEFT] = 0;
        pool[i + RIGHT] = 0;
        pool[i + SYMBOLS] = 0;
        pool[i + ESCAPES] = 0;
        pool[i + TOTAL] = 0;
        pool[i + PARENT] = 0;
        return s;
    }

    private int createContext(int escapesInit, int minimum) {
        int c = createSymbol(0, 0);
        setEscapes(c, escapesInit & 0xFFFF);
        setTotal(c, (escapesInit + 256 * minimum) & 0xFFFF);
        setSymbols(c, 0);
        return c;
    }

    private int rescaleSymbol(int symbol) {
        int t = 0;
        for (;;) {
            setCount(symbol, (count(symbol) - (count(symbol) >> 1)) & 0xFF);
            setUnder(symbol, count(symbol));
            if (left(symbol) != 0) {
                setUnder(symbol, (under(symbol) + rescaleSymbol(symbol + left(symbol))) & 0xFFFF);
            }
            t = (t + under(symbol)) & 0xFFFF;
            if (right(symbol) == 0) {
                break;
            }
            symbol += right(symbol);
        }
        return t;
    }

    private void rescaleContext(int context, int minimum) {
        setTotal(context, symbols(context) != 0 ? rescaleSymbol(context + symbols(context)) : 0);
        setEscapes(context, (escapes(context) - (escapes(context) >> 1)) & 0xFFFF);
        setTotal(context, (total(context) + escapes(context) + 256 * minimum) & 0xFFFF);
    }

    /** ENET_CONTEXT_ENCODE: finds or inserts {@code v}; sets foundSymbol/Under/Count. */
    private void contextEncode(int context, int v, int update, int minimum) {
        int u = (v * minimum) & 0xFFFF;
        int c = minimum;
        int symbol;
        if (symbols(context) == 0) {
            symbol = createSymbol(v, update);
            setSymbols(context, (symbol - context) & 0xFFFF);
        } else {
            int node = context + symbols(context);
            for (;;) {
                if (v < value(node)) {
                    setUnder(node, (under(node) + update) & 0xFFFF);
                    if (left(node) != 0) {
                        node += left(node);
                        continue;
                    }
                    symbol = createSymbol(v, update);
                    setLeft(node, (symbol - node) & 0xFFFF);
                } else if (v > value(node)) {
                    u = (u + under(node)) & 0xFFFF;
                    if (right(node) != 0) {
                        node += right(node);
                        continue;
                    }
                    symbol = createSymbol(v, update);
                    setRight(node, (symbol - node) & 0xFFFF);
                } else {
                    c = (c + count(node)) & 0xFFFF;
                    u = (u + under(node) - count(node)) & 0xFFFF;
                    setUnder(node, (under(node) + update) & 0xFFFF);
                    setCount(node, (count(node) + update) & 0xFF);
                    symbol = node;
                }
                break;
            }
        }
        foundSymbol = symbol;
        foundUnder = u;
        foundCount = c;
    }

    private void setParent(int slot, int symbol) {
        if (slot == PREDICTED_SLOT) {
            predicted = symbol & 0xFFFF;
        } else {
            setParentField(slot, symbol & 0xFFFF);
        }
    }

    private void resetModel() {
        nextSymbol = 0;
        createContext(CONTEXT_ESCAPE_MINIMUM, CONTEXT_SYMBOL_MINIMUM);
        predicted = 0;
        order = 0;
    }

    private void freeSymbols() {
        if (nextSymbol >= SYMBOL_POOL - SUBCONTEXT_ORDER) {
            resetModel();
        }
    }

    private void nextOrder() {
        if (order >= SUBCONTEXT_ORDER) {
            predicted = parent(predicted);
        } else {
            order++;
        }
    }

    // ---- encoding ----

    /** @return false when the output is full */
    private boolean encode(int u, int c, int t) {
        range = Integer.divideUnsigned(range, t);
        low += u * range;
        range *= c;
        for (;;) {
            if (Integer.compareUnsigned(low ^ (low + range), TOP) >= 0) {
                if (Integer.compareUnsigned(range, BOTTOM) >= 0) {
                    break;
                }
                range = -low & (BOTTOM - 1);
            }
            if (ioPos >= ioEnd) {
                return false;
            }
            io[ioPos++] = (byte) (low >>> 24);
            range <<= 8;
            low <<= 8;
        }
        return true;
    }

    @Override
    public int compress(byte[] in, int inOffset, int inLength, byte[] out, int outOffset, int outLimit) {
        if (inLength <= 0) {
            return 0;
        }
        io = out;
        ioPos = outOffset;
        ioEnd = outOffset + outLimit;
        low = 0;
        range = -1;
        resetModel();
        final int root = 0;
        try {
            for (int i = inOffset; i < inOffset + inLength; i++) {
                int v = in[i] & 0xFF;
                int slot = PREDICTED_SLOT;
                boolean coded = false;
                for (int subcontext = predicted; subcontext != root; subcontext = parent(subcontext)) {
                    contextEncode(subcontext, v, SUBCONTEXT_SYMBOL_DELTA, 0);
                    int symbol = foundSymbol;
                    int u = foundUnder;
                    int c = foundCount;
                    setParent(slot, symbol);
                    slot = symbol;
                    int t = total(subcontext);
                    if (c > 0) {
                        if (!encode(escapes(subcontext) + u, c, t)) {
                            return 0;
                        }
                    } else {
                        if (escapes(subcontext) > 0 && escapes(subcontext) < t && !encode(0, escapes(subcontext), t)) {
                            return 0;
                        }
                        setEscapes(subcontext, (escapes(subcontext) + SUBCONTEXT_ESCAPE_DELTA) & 0xFFFF);
                        setTotal(subcontext, (total(subcontext) + SUBCONTEXT_ESCAPE_DELTA) & 0xFFFF);
                    }
                    setTotal(subcontext, (total(subcontext) + SUBCONTEXT_SYMBOL_DELTA) & 0xFFFF);
                    if (c > 0xFF - 2 * SUBCONTEXT_SYMBOL_DELTA || total(subcontext) > BOTTOM - 0x100) {
                        rescaleContext(subcontext, 0);
                    }
                    if (c > 0) {
                        coded = true;
                        break;
                    }
                }
                if (!coded) {
                    contextEncode(root, v, CONTEXT_SYMBOL_DELTA, CONTEXT_SYMBOL_MINIMUM);
                    int symbol = foundSymbol;
                    int u = foundUnder;
                    int c = foundCount;
                    setParent(slot, symbol);
                    int t = total(root);
                    if (!encode(escapes(root) + u, c, t)) {
                        return 0;
                    }
                    setTotal(root, (total(root) + CONTEXT_SYMBOL_DELTA) & 0xFFFF);
                    if (c > 0xFF - 2 * CONTEXT_SYMBOL_DELTA + CONTEXT_SYMBOL_MINIMUM || total(root) > BOTTOM - 0x100) {
                        rescaleContext(root, CONTEXT_SYMBOL_MINIMUM);
                    }
                }
                nextOrder();
                freeSymbols();
            }
            while (low != 0) {
                if (ioPos >= ioEnd) {
                    return 0;
                }
                io[ioPos++] = (byte) (low >>> 24);
                low <<= 8;
            }
            return ioPos - outOffset;
        } finally {
            io = null;
        }
    }

    // ---- decoding ----

    private int readByte() {
        return ioPos < ioEnd ? io[ioPos++] & 0xFF : 0;
    }

    /** ENET_RANGE_CODER_READ, truncated to u16 as in C; -1 if the stream is corrupt. */
    private int read(int t) {
        range = Integer.divideUnsigned(range, t);
        if (range == 0) {
            return -1;
        }
        return Integer.divideUnsigned(code - low, range) & 0xFFFF;
    }

    /** @return false if the stream is corrupt (the coder state cannot recover) */
    private boolean decode(int u, int c) {
        low += u * range;
        range *= c;
        for (int shifts = 0;; shifts++) {
            if (Integer.compareUnsigned(low ^ (low + range), TOP) >= 0) {
                if (Integer.compareUnsigned(range, BOTTOM) >= 0) {
                    return true;
                }
                range = -low & (BOTTOM - 1);
            }
            if (shifts > 32) {
                return false;
            }
            code = (code << 8) | readByte();
            range <<= 8;
            low <<= 8;
        }
    }

    /**
     * ENET_CONTEXT_DECODE for a subcontext (minimum 0, no symbol creation): false if the code
     * falls outside every known symbol, which C ENet also treats as a failed decode.
     */
    private boolean contextTryDecode(int context, int cd, int update) {
        int u = 0;
        int c = 0;
        if (symbols(context) == 0) {
            return false;
        }
        int node = context + symbols(context);
        for (int depth = 0; depth < SYMBOL_POOL; depth++) {
            int after = (u + under(node)) & 0xFFFF;
            int before = count(node);
            if (cd >= after) {
                u = (u + under(node)) & 0xFFFF;
                if (right(node) != 0) {
                    node += right(node);
                    continue;
                }
                return false;
            } else if (cd < after - before) {
                setUnder(node, (under(node) + update) & 0xFFFF);
                if (left(node) != 0) {
                    node += left(node);
                    continue;
                }
                return false;
            } else {
                foundValue = value(node);
                c = (c + count(node)) & 0xFFFF;
                u = (after - before) & 0xFFFF;
                setUnder(node, (under(node) + update) & 0xFFFF);
                setCount(node, (count(node) + update) & 0xFF);
                foundSymbol = node;
                foundUnder = u;
                foundCount = c;
                return true;
            }
        }
        return false;
    }

    /** ENET_CONTEXT_ROOT_DECODE (minimum 1): always finds or creates the symbol. */
    private boolean contextRootDecode(int context, int cd, int update, int minimum) {
        int u = 0;
        int c = minimum;
        int v;
        int symbol;
        if (symbols(context) == 0) {
            v = (cd / minimum) & 0xFF;
            u = (cd - cd % minimum) & 0xFFFF;
            symbol = createSymbol(v, update);
            setSymbols(context, (symbol - context) & 0xFFFF);
        } else {
            int node = context + symbols(context);
            for (int depth = 0;; depth++) {
                if (depth >= SYMBOL_POOL) {
                    return false;
                }
                int after = (u + under(node) + (value(node) + 1) * minimum) & 0xFFFF;
                int before = (count(node) + minimum) & 0xFFFF;
                if (cd >= after) {
                    u = (u + under(node)) & 0xFFFF;
                    if (right(node) != 0) {
                        node += right(node);
                        continue;
                    }
                    v = (value(node) + 1 + (cd - after) / minimum) & 0xFF;
                    u = (cd - (cd - after) % minimum) & 0xFFFF;
                    symbol = createSymbol(v, update);
                    setRight(node, (symbol - node) & 0xFFFF);
                } else if (cd < after - before) {
                    setUnder(node, (under(node) + update) & 0xFFFF);
                    if (left(node) != 0) {
                        node += left(node);
                        continue;
                    }
                    v = (value(node) - 1 - (after - before - cd - 1) / minimum) & 0xFF;
                    u = (cd - (after - before - cd - 1) % minimum) & 0xFFFF;
                    symbol = createSymbol(v, update);
                    setLeft(node, (symbol - node) & 0xFFFF);
                } else {
                    v = value(node);
                    c = (c + count(node)) & 0xFFFF;
                    u = (after - before) & 0xFFFF;
                    setUnder(node, (under(node) + update) & 0xFFFF);
                    setCount(node, (count(node) + update) & 0xFF);
                    symbol = node;
                }
                break;
            }
        }
        foundValue = v;
        foundSymbol = symbol;
        foundUnder = u;
        foundCount = c;
        return true;
    }

    @Override
    public int decompress(byte[] in, int inOffset, int inLength, byte[] out, int outOffset, int outLimit) {
        if (inLength <= 0) {
            return 0;
        }
        // No catch-all: every way a corrupt stream can go wrong is checked and answered with 0
        // (the fuzz target ReceiveFuzzTest#decompressorsNeverThrowNorOverrun holds it to that).
        try {
            return decompressChecked(in, inOffset, inLength, out, outOffset, outLimit);
        } finally {
            io = null;
        }
    }

    private int decompressChecked(byte[] in, int inOffset, int inLength, byte[] out, int outOffset, int outLimit) {
        io = in;
        ioPos = inOffset;
        ioEnd = inOffset + inLength;
        low = 0;
        code = 0;
        range = -1;
        resetModel();
        final int root = 0;
        code |= readByte() << 24;
        code |= readByte() << 16;
        code |= readByte() << 8;
        code |= readByte();
        int outPos = outOffset;
        int outEnd = outOffset + outLimit;
        for (;;) {
            int slot = PREDICTED_SLOT;
            int subcontext;
            int bottom;
            int v;
            boolean found = false;
            for (subcontext = predicted; subcontext != root; subcontext = parent(subcontext)) {
                if (escapes(subcontext) <= 0) {
                    continue;
                }
                int t = total(subcontext);
                if (escapes(subcontext) >= t) {
                    continue;
                }
                int cd = read(t);
                if (cd < 0) {
                    return 0;
                }
                if (cd < escapes(subcontext)) {
                    if (!decode(0, escapes(subcontext))) {
                        return 0;
                    }
                    continue;
                }
                cd = (cd - escapes(subcontext)) & 0xFFFF;
                if (!contextTryDecode(subcontext, cd, SUBCONTEXT_SYMBOL_DELTA)) {
                    return 0;
                }
                found = true;
                break;
            }
            if (found) {
                v = foundValue;
                bottom = foundSymbol;
                int c = foundCount;
                if (!decode(escapes(subcontext) + foundUnder, c)) {
                    return 0;
                }
                setTotal(subcontext, (total(subcontext) + SUBCONTEXT_SYMBOL_DELTA) & 0xFFFF);
                if (c > 0xFF - 2 * SUBCONTEXT_SYMBOL_DELTA || total(subcontext) > BOTTOM - 0x100) {
                    rescaleContext(subcontext, 0);
                }
            } else {
                subcontext = root;
                int t = total(root);
                int cd = read(t);
                if (cd < 0) {
                    return 0;
                }
                if (cd < escapes(root)) {
                    // End of stream: the encoder's final escape.
                    return outPos - outOffset;
                }
                cd = (cd - escapes(root)) & 0xFFFF;
                if (!contextRootDecode(root, cd, CONTEXT_SYMBOL_DELTA, CONTEXT_SYMBOL_MINIMUM)) {
                    return 0;
                }
                v = foundValue;
                bottom = foundSymbol;
                int c = foundCount;
                if (!decode(escapes(root) + foundUnder, c)) {
                    return 0;
                }
                setTotal(root, (total(root) + CONTEXT_SYMBOL_DELTA) & 0xFFFF);
                if (c > 0xFF - 2 * CONTEXT_SYMBOL_DELTA + CONTEXT_SYMBOL_MINIMUM || total(root) > BOTTOM - 0x100) {
                    rescaleContext(root, CONTEXT_SYMBOL_MINIMUM);
                }
            }
            for (int patch = predicted; patch != subcontext; patch = parent(patch)) {
                contextEncode(patch, v, SUBCONTEXT_SYMBOL_DELTA, 0);
                int c = foundCount;
                setParent(slot, foundSymbol);
                slot = foundSymbol;
                if (c <= 0) {
                    setEscapes(patch, (escapes(patch) + SUBCONTEXT_ESCAPE_DELTA) & 0xFFFF);
                    setTotal(patch, (total(patch) + SUBCONTEXT_ESCAPE_DELTA) & 0xFFFF);
                }
                setTotal(patch, (total(patch) + SUBCONTEXT_SYMBOL_DELTA) & 0xFFFF);
                if (c > 0xFF - 2 * SUBCONTEXT_SYMBOL_DELTA || total(patch) > BOTTOM - 0x100) {
                    rescaleContext(patch, 0);
                }
            }
            setParent(slot, bottom);
            if (outPos >= outEnd) {
                return 0;
            }
            out[outPos++] = (byte) v;
            nextOrder();
            freeSymbols();
        }
    }
}
