package io.jenet.internal.compress;

/**
 * ENet's adaptive order-2 PPM range coder ({@code enet_range_coder_compress/decompress}),
 * reproduced so that its output is byte-identical to C ENet's for the same input and it decodes
 * C ENet's output. The model is reset for every datagram and lives in a pool of 4096 symbols.
 *
 * <p>The C code relies on fixed-width unsigned fields (u8 counts, u16 totals and tree offsets,
 * u32 coder state). Here the u16 fields are {@code char}s, so a store wraps exactly where C's does;
 * the u32 coder state is an {@code int} compared and divided as unsigned.
 *
 * <p>Speed: {@code compress} and {@code decompress} each keep the whole coder state (low, range,
 * code, cursors, next free symbol) in locals and step the range coder in one place per loop, so
 * the JIT keeps it in registers, as C ENet's macros do. The subcontext tree walks return their
 * results packed into one {@code long} for the same reason. The root context, where C spends most
 * of its time walking a binary tree of up to 256 values, is a Fenwick tree here (see ROOT_TREE):
 * same counts, same output, fewer dependent loads.
 *
 * <p>Decoding never throws and never writes past its output limit; a corrupt stream yields 0.
 * Every stream an encoder makes decodes as in C. One kind of corrupt stream decodes differently:
 * a code past the root's last value, which C turns into a wrapped-around value and garbage after
 * it, gives 0 here.
 *
 * <p>Thread-safety: not thread-safe (the symbol pool is reused); use one instance per host.
 */
public final class RangeCoder implements Compressor {
    private static final int CONTEXT_SYMBOL_DELTA = 3;
    private static final int CONTEXT_SYMBOL_MINIMUM = 1;
    private static final int CONTEXT_ESCAPE_MINIMUM = 1;
    private static final int SUBCONTEXT_ORDER = 2;
    private static final int SUBCONTEXT_SYMBOL_DELTA = 2;
    private static final int SUBCONTEXT_ESCAPE_DELTA = 5;
    private static final int SYMBOL_POOL = 4096;
    /** A context is rescaled once its total passes this (ENET_RANGE_CODER_BOTTOM - 0x100). */
    private static final int TOTAL_LIMIT = (1 << 16) - 0x100;

    // The symbol pool laid out as C's 16-byte ENetSymbol: eight u16 slots per symbol in one char[].
    // A symbol is named by its first slot (index * STRIDE), and the links between symbols are
    // stored in the same unit, so following one is an add, as C's pointer arithmetic is. Tree
    // links (children, a context's tree) are offsets, as in C, to symbols made later in the same
    // model, so positive and below SYMBOL_POOL * STRIDE; a symbol's parent context is absolute.
    private static final int STRIDE = 8;
    /** Slot 0: value in the low byte, count in the high byte (C's u8 value and u8 count). */
    private static final int VALUE_COUNT = 0;
    private static final int UNDER = 1;
    private static final int LEFT = 2;
    private static final int RIGHT = 3;
    private static final int SYMBOLS = 4;
    private static final int ESCAPES = 5;
    private static final int TOTAL = 6;
    private static final int PARENT = 7;
    private static final int ROOT = 0;
    /** ENET_RANGE_CODER_FREE_SYMBOLS: the model starts over once this many symbols are in use. */
    private static final int POOL_FULL = (SYMBOL_POOL - SUBCONTEXT_ORDER) * STRIDE;
    /**
     * C links each coded symbol to the one coded in the next lower context through a pointer that
     * starts at the local {@code predicted}. Keeping {@code predicted} in one extra slot after the
     * pool makes that pointer an index either way, with no branch.
     */
    private static final int PREDICTED = SYMBOL_POOL * STRIDE;

    // The root context (all 256 values, each with a count of at least 1) is not a tree here. C
    // walks an unbalanced binary tree of up to 256 values for it, about ten dependent loads deep
    // on busy datagrams. All the coder needs from the root is a value's count and the sum of the
    // counts of the smaller values, and the reverse: the value whose range holds a given code. A
    // Fenwick tree over the 256 counts answers each in at most nine steps on half a KiB; the sum
    // (encoding) reads independent slots where C follows a chain of dependent loads, the search
    // (decoding) is still a chain of eight. The output does not change: a rescale halves each
    // value's count whatever the tree's shape. The root's values still get their symbols (they are the order-1
    // contexts, and the pool fills up exactly as C's does), found through a table instead of the
    // tree, and a value's count lives in its symbol as in C.
    /** Fenwick tree of the root's counts: slot {@code ROOT_TREE + i}, i in [1, 256], for value i - 1. */
    private static final int ROOT_TREE = PREDICTED + 1;
    /** Each value's symbol in the root, 0 until the root has coded it. */
    private static final int ROOT_SYMBOL = ROOT_TREE + 257;
    private static final int ROOT_END = ROOT_SYMBOL + 256;

    private final char[] pool = new char[ROOT_END];
    /** How many chars at the start of the pool the last model used; the rest are 0. */
    private int inUse;

    /** Creates a coder with its own symbol pool. */
    public RangeCoder() {}

    /**
     * ENET_SYMBOL_CREATE at {@code s}. The other six slots are already 0: the pool is kept zero
     * past the last symbol in use (see {@link #startModel}), so creating a symbol is two stores
     * (C's compiler merges its eight field writes into a few wide ones) and small enough that C2
     * inlines it everywhere (on JDK 25 it would not inline the eight-store version on every path).
     */
    private static void createSymbol(char[] p, int s, int value, int count) {
        p[s + VALUE_COUNT] = (char) ((value & 0xFF) | count << 8);
        p[s + UNDER] = (char) count;
    }

    /**
     * Clears the symbols a previous model left and starts a fresh one: the root context, and
     * predicted = root. Until the caller records how far this model got ({@link #inUse}), the whole
     * pool counts as used, so a call that ends by an exception leaves the next one a clean pool.
     *
     * @return the next free symbol
     */
    private int startModel(char[] p) {
        clear(p, 0, inUse);
        inUse = PREDICTED;
        return resetModel(p);
    }

    /** ENET_RANGE_CODER_FREE_SYMBOLS mid-datagram: clears the {@code used} chars and starts over. */
    private static int restartModel(char[] p, int used) {
        clear(p, 0, used);
        return resetModel(p);
    }

    /** Zeroes {@code p[from, to)}; a plain loop, as Arrays.fill calls its range check out of line. */
    private static void clear(char[] p, int from, int to) {
        for (int i = from; i < to; i++) {
            p[i] = 0;
        }
    }

    /** The root context, predicted = root. @return the next free symbol */
    private static int resetModel(char[] p) {
        clear(p, ROOT_TREE, ROOT_END);
        createSymbol(p, ROOT, 0, 0);
        p[ROOT + ESCAPES] = CONTEXT_ESCAPE_MINIMUM;
        p[ROOT + TOTAL] = CONTEXT_ESCAPE_MINIMUM + 256 * CONTEXT_SYMBOL_MINIMUM;
        p[PREDICTED] = ROOT;
        return ROOT + STRIDE;
    }

    private static int rescaleSymbol(char[] p, int symbol) {
        int total = 0;
        for (;;) {
            int count = p[symbol + VALUE_COUNT] >>> 8;
            count -= count >> 1;
            p[symbol + VALUE_COUNT] = (char) ((p[symbol + VALUE_COUNT] & 0xFF) | count << 8);
            int under = count;
            if (p[symbol + LEFT] != 0) {
                under += rescaleSymbol(p, symbol + p[symbol + LEFT]);
            }
            p[symbol + UNDER] = (char) under;
            total += (char) under;
            if (p[symbol + RIGHT] == 0) {
                return total & 0xFFFF;
            }
            symbol += p[symbol + RIGHT];
        }
    }

    /** ENET_CONTEXT_RESCALE: halves every count of the context and its escapes. */
    private static void rescaleContext(char[] p, int context) {
        int total = p[context + SYMBOLS] != 0 ? rescaleSymbol(p, context + p[context + SYMBOLS]) : 0;
        int escapes = p[context + ESCAPES];
        escapes -= escapes >> 1;
        p[context + ESCAPES] = (char) escapes;
        p[context + TOTAL] = (char) (total + escapes); // a subcontext's minimum is 0
    }

    /** The sum of the root counts of the values below {@code value}. */
    private static int rootCountBelow(char[] p, int value) {
        int sum = 0;
        for (int i = value; i > 0; i &= i - 1) {
            sum += p[ROOT_TREE + i];
        }
        return sum;
    }

    /** Adds {@code delta} to the root count of {@code value} in the Fenwick tree. */
    private static void rootAdd(char[] p, int value, int delta) {
        for (int i = value + 1; i <= 256; i += i & -i) {
            p[ROOT_TREE + i] += delta;
        }
    }

    /**
     * The value whose range in the root holds {@code code} (below the root's total less its
     * escapes), and where that range starts: {@code start << 8 | value}. A value's range is its
     * count + CONTEXT_SYMBOL_MINIMUM wide, so a tree slot covering n values is n wider than it counts.
     */
    private static int rootFind(char[] p, int code) {
        int value = 0;
        int rest = code;
        for (int bit = 7; bit >= 0; bit--) {
            int width = p[ROOT_TREE + value + (1 << bit)] + CONTEXT_SYMBOL_MINIMUM * (1 << bit);
            if (width <= rest) {
                value += 1 << bit;
                rest -= width;
            }
        }
        return (code - rest) << 8 | value;
    }

    /** ENET_CONTEXT_RESCALE of the root: each value's count halved (rounding up), as C's tree walk does. */
    private static void rescaleRoot(char[] p) {
        int total = 0;
        clear(p, ROOT_TREE, ROOT_SYMBOL);
        for (int value = 0; value < 256; value++) {
            int symbol = p[ROOT_SYMBOL + value];
            if (symbol != 0) {
                int count = p[symbol + VALUE_COUNT] >>> 8;
                count -= count >> 1;
                p[symbol + VALUE_COUNT] = (char) (value | count << 8);
                p[ROOT_TREE + value + 1] = (char) count;
                total += count;
            }
        }
        for (int i = 1; i <= 256; i++) { // builds the Fenwick tree over the counts in place
            int up = i + (i & -i);
            if (up <= 256) {
                p[ROOT_TREE + up] += p[ROOT_TREE + i];
            }
        }
        int escapes = p[ROOT + ESCAPES];
        escapes -= escapes >> 1;
        p[ROOT + ESCAPES] = (char) escapes;
        p[ROOT + TOTAL] = (char) (total + escapes + 256 * CONTEXT_SYMBOL_MINIMUM);
    }

    // A subcontext tree walk's result, in one long so that nothing goes through memory: the
    // symbol in bits 0-15, C's u16 'under' in bits 16-31, C's 'count' from bit 32.
    private static long found(int symbol, int under, int count) {
        return (long) count << 32 | (under << 16 | symbol) & 0xFFFF_FFFFL;
    }

    private static int symbolOf(long found) {
        return (int) found & 0xFFFF;
    }

    private static int underOf(long found) {
        return (int) found >>> 16;
    }

    private static int countOf(long found) {
        return (int) (found >>> 32);
    }

    /**
     * ENET_CONTEXT_ENCODE in a subcontext (minimum 0): finds {@code value} in the context's tree,
     * or inserts it as symbol {@code fresh} (count 0: the caller then sends an escape), adding
     * SUBCONTEXT_SYMBOL_DELTA to the counts on the way.
     */
    private static long encodeSymbol(char[] p, int context, int value, int fresh) {
        final int update = SUBCONTEXT_SYMBOL_DELTA;
        int node = p[context + SYMBOLS];
        if (node == 0) {
            createSymbol(p, fresh, value, update);
            p[context + SYMBOLS] = (char) (fresh - context);
            return found(fresh, 0, 0);
        }
        node += context;
        int under = 0;
        for (;;) {
            int valueCount = p[node + VALUE_COUNT];
            int nodeValue = valueCount & 0xFF;
            if (value < nodeValue) {
                p[node + UNDER] += update;
                int left = p[node + LEFT];
                if (left != 0) {
                    node += left;
                    continue;
                }
                createSymbol(p, fresh, value, update);
                p[node + LEFT] = (char) (fresh - node);
                return found(fresh, under, 0);
            } else if (value > nodeValue) {
                under += p[node + UNDER];
                int right = p[node + RIGHT];
                if (right != 0) {
                    node += right;
                    continue;
                }
                createSymbol(p, fresh, value, update);
                p[node + RIGHT] = (char) (fresh - node);
                return found(fresh, under, 0);
            } else {
                int count = valueCount >>> 8;
                under += p[node + UNDER] - count;
                p[node + UNDER] += update;
                // The count is the high byte: adding there wraps it as C's u8 and leaves the value.
                p[node + VALUE_COUNT] = (char) (valueCount + (update << 8));
                return found(node, under, count);
            }
        }
    }

    // ---- encoding ----

    @Override
    public int compress(byte[] in, int inOffset, int inLength, byte[] out, int outOffset, int outLimit) {
        if (inLength <= 0) {
            return 0;
        }
        final char[] p = pool;
        final int outEnd = outOffset + outLimit;
        int outPos = outOffset;
        int low = 0;
        int range = -1;
        int next = startModel(p);
        int order = 0;
        boolean fits = true;
        encoding:
        for (int i = inOffset, inEnd = inOffset + inLength; i < inEnd; i++) {
            final int value = in[i] & 0xFF;
            int link = PREDICTED;
            // From the highest-order context down: each escapes to its parent until one knows the
            // value; the root knows every value. One range-coder step per context visited.
            for (int context = p[PREDICTED];; context = p[context + PARENT]) {
                int codeUnder;
                int codeCount;
                int codeTotal;
                boolean coded;
                if (context != ROOT) {
                    long f = encodeSymbol(p, context, value, next);
                    int symbol = symbolOf(f);
                    int count = countOf(f);
                    if (symbol == next) {
                        next += STRIDE;
                    }
                    p[link] = (char) symbol;
                    link = symbol + PARENT;
                    int escapes = p[context + ESCAPES];
                    int total = p[context + TOTAL];
                    codeTotal = total;
                    coded = count > 0;
                    if (coded) {
                        codeUnder = escapes + underOf(f);
                        codeCount = count;
                    } else {
                        // An escape; a context that has never coded anything sends none.
                        codeUnder = 0;
                        codeCount = escapes > 0 && escapes < total ? escapes : 0;
                        p[context + ESCAPES] = (char) (escapes + SUBCONTEXT_ESCAPE_DELTA);
                        total += SUBCONTEXT_ESCAPE_DELTA;
                    }
                    total = (char) (total + SUBCONTEXT_SYMBOL_DELTA);
                    p[context + TOTAL] = (char) total;
                    if (count > 0xFF - 2 * SUBCONTEXT_SYMBOL_DELTA || total > TOTAL_LIMIT) {
                        rescaleContext(p, context);
                    }
                } else {
                    // ENET_CONTEXT_ENCODE in the root: count and under include the minimum 1 per value.
                    int symbol = p[ROOT_SYMBOL + value];
                    int count = CONTEXT_SYMBOL_MINIMUM;
                    if (symbol == 0) {
                        symbol = next;
                        createSymbol(p, symbol, value, CONTEXT_SYMBOL_DELTA);
                        p[ROOT_SYMBOL + value] = (char) symbol;
                        next += STRIDE;
                    } else {
                        count += p[symbol + VALUE_COUNT] >>> 8;
                        p[symbol + VALUE_COUNT] += CONTEXT_SYMBOL_DELTA << 8;
                    }
                    p[link] = (char) symbol;
                    int total = p[ROOT + TOTAL];
                    codeTotal = total;
                    codeUnder = p[ROOT + ESCAPES] + value * CONTEXT_SYMBOL_MINIMUM + rootCountBelow(p, value);
                    codeCount = count;
                    coded = true;
                    rootAdd(p, value, CONTEXT_SYMBOL_DELTA);
                    total = (char) (total + CONTEXT_SYMBOL_DELTA);
                    p[ROOT + TOTAL] = (char) total;
                    if (count > 0xFF - 2 * CONTEXT_SYMBOL_DELTA + CONTEXT_SYMBOL_MINIMUM || total > TOTAL_LIMIT) {
                        rescaleRoot(p);
                    }
                }
                if (codeCount != 0) {
                    // ENET_RANGE_CODER_ENCODE; the model updates above do not touch the coder, so
                    // doing them first (C does them after) changes nothing.
                    range = Integer.divideUnsigned(range, codeTotal);
                    low += codeUnder * range;
                    range *= codeCount;
                    for (;;) {
                        if ((low ^ (low + range)) >>> 24 != 0) { // the top bytes differ
                            if (range >>> 16 != 0) {
                                break;
                            }
                            range = -low & 0xFFFF;
                        }
                        if (outPos >= outEnd) {
                            fits = false;
                            break encoding;
                        }
                        out[outPos++] = (byte) (low >>> 24);
                        range <<= 8;
                        low <<= 8;
                    }
                }
                if (coded) {
                    break;
                }
            }
            // The next byte's contexts: the one just coded in, then up to order 2.
            if (order >= SUBCONTEXT_ORDER) {
                p[PREDICTED] = p[p[PREDICTED] + PARENT];
            } else {
                order++;
            }
            if (next >= POOL_FULL) {
                next = restartModel(p, next);
                order = 0;
            }
        }
        inUse = next;
        if (!fits) {
            return 0;
        }
        while (low != 0) {
            if (outPos >= outEnd) {
                return 0;
            }
            out[outPos++] = (byte) (low >>> 24);
            low <<= 8;
        }
        return outPos - outOffset;
    }

    // ---- decoding ----

    /** A decoding tree walk found no symbol. */
    private static final long NOT_FOUND = -1;
    /** The context decoded an escape, not a symbol (the root, symbol 0, is never decoded). */
    private static final int ESCAPED = ROOT;

    /**
     * ENET_CONTEXT_TRY_DECODE in a subcontext (minimum 0, never creates a symbol): NOT_FOUND when
     * the code falls outside every symbol of the tree, which C ENet also answers with a failed
     * decode.
     */
    private static long decodeSubcontextSymbol(char[] p, int context, int code, int update) {
        int node = p[context + SYMBOLS];
        if (node == 0) {
            return NOT_FOUND;
        }
        node += context;
        int under = 0;
        for (;;) {
            int valueCount = p[node + VALUE_COUNT];
            int after = (char) (under + p[node + UNDER]);
            int before = valueCount >>> 8;
            if (code >= after) {
                under = after;
                int right = p[node + RIGHT];
                if (right == 0) {
                    return NOT_FOUND;
                }
                node += right;
            } else if (code < after - before) {
                p[node + UNDER] += update;
                int left = p[node + LEFT];
                if (left == 0) {
                    return NOT_FOUND;
                }
                node += left;
            } else {
                p[node + UNDER] += update;
                p[node + VALUE_COUNT] = (char) (valueCount + (update << 8));
                return found(node, after - before, before);
            }
        }
    }

    @Override
    public int decompress(byte[] in, int inOffset, int inLength, byte[] out, int outOffset, int outLimit) {
        if (inLength <= 0) {
            return 0;
        }
        // No catch-all: every way a corrupt stream can go wrong is checked and answered with 0
        // (the fuzz target ReceiveFuzzTest#decompressorsNeverThrowNorOverrun holds it to that).
        final char[] p = pool;
        final int inEnd = inOffset + inLength;
        final int outEnd = outOffset + outLimit;
        int inPos = inOffset;
        int outPos = outOffset;
        int low = 0;
        int range = -1;
        int code = 0;
        for (int k = 0; k < 4; k++) {
            code = code << 8 | (inPos < inEnd ? in[inPos++] & 0xFF : 0);
        }
        int next = startModel(p);
        int order = 0;
        int result;
        decoding:
        for (;;) {
            // Walk down from the highest-order context until one decodes a symbol (not an
            // escape); one range-coder step per context that takes part.
            int context = p[PREDICTED];
            int symbol;
            for (;; context = p[context + PARENT]) {
                int escapes = p[context + ESCAPES];
                int total = p[context + TOTAL];
                if (context != ROOT && (escapes == 0 || escapes >= total)) {
                    continue; // the encoder sent no escape for this context
                }
                // ENET_RANGE_CODER_READ: target = (code - low) / (range /= total), as a u16.
                // range >= 2^16 > total here (decoding below leaves it so), so neither divisor
                // can be 0.
                range = Integer.divideUnsigned(range, total);
                int target = Integer.divideUnsigned(code - low, range) & 0xFFFF;
                int codeUnder;
                int codeCount;
                if (target < escapes) {
                    if (context == ROOT) {
                        result = outPos - outOffset; // the end: C decodes this escape and stops
                        break decoding;
                    }
                    symbol = ESCAPED;
                    codeUnder = 0;
                    codeCount = escapes;
                } else if (context != ROOT) {
                    long f = decodeSubcontextSymbol(p, context, target - escapes, SUBCONTEXT_SYMBOL_DELTA);
                    if (f == NOT_FOUND) {
                        result = 0;
                        break decoding;
                    }
                    symbol = symbolOf(f);
                    codeUnder = escapes + underOf(f);
                    codeCount = countOf(f);
                    total = (char) (total + SUBCONTEXT_SYMBOL_DELTA);
                    p[context + TOTAL] = (char) total;
                    if (codeCount > 0xFF - 2 * SUBCONTEXT_SYMBOL_DELTA || total > TOTAL_LIMIT) {
                        rescaleContext(p, context);
                    }
                } else {
                    int rootCode = target - escapes;
                    if (rootCode >= total - escapes) {
                        // Past every value: only a corrupt stream gets here (C decodes a value
                        // that wrapped around, and garbage after it).
                        result = 0;
                        break decoding;
                    }
                    int f = rootFind(p, rootCode);
                    int value = f & 0xFF;
                    symbol = p[ROOT_SYMBOL + value];
                    codeCount = CONTEXT_SYMBOL_MINIMUM;
                    if (symbol == 0) {
                        symbol = next;
                        createSymbol(p, symbol, value, CONTEXT_SYMBOL_DELTA);
                        p[ROOT_SYMBOL + value] = (char) symbol;
                        next += STRIDE;
                    } else {
                        codeCount += p[symbol + VALUE_COUNT] >>> 8;
                        p[symbol + VALUE_COUNT] += CONTEXT_SYMBOL_DELTA << 8;
                    }
                    codeUnder = escapes + (f >>> 8);
                    rootAdd(p, value, CONTEXT_SYMBOL_DELTA);
                    total = (char) (total + CONTEXT_SYMBOL_DELTA);
                    p[ROOT + TOTAL] = (char) total;
                    if (codeCount > 0xFF - 2 * CONTEXT_SYMBOL_DELTA + CONTEXT_SYMBOL_MINIMUM || total > TOTAL_LIMIT) {
                        rescaleRoot(p);
                    }
                }
                // ENET_RANGE_CODER_DECODE. A valid stream leaves the loop within a few shifts; give
                // up on one that does not rather than spin.
                low += codeUnder * range;
                range *= codeCount;
                for (int shifts = 0; (low ^ (low + range)) >>> 24 == 0 || range >>> 16 == 0; shifts++) {
                    if (shifts > 32) {
                        result = 0;
                        break decoding;
                    }
                    if ((low ^ (low + range)) >>> 24 != 0) {
                        range = -low & 0xFFFF;
                    }
                    code = code << 8 | (inPos < inEnd ? in[inPos++] & 0xFF : 0);
                    range <<= 8;
                    low <<= 8;
                }
                if (symbol != ESCAPED) {
                    break;
                }
            }
            // The contexts that escaped learn the value, as the encoder's did.
            final int value = p[symbol + VALUE_COUNT] & 0xFF;
            int link = PREDICTED;
            for (int patch = p[PREDICTED]; patch != context; patch = p[patch + PARENT]) {
                long f = encodeSymbol(p, patch, value, next);
                int s = symbolOf(f);
                int count = countOf(f);
                if (s == next) {
                    next += STRIDE;
                }
                p[link] = (char) s;
                link = s + PARENT;
                int total = p[patch + TOTAL];
                if (count <= 0) {
                    p[patch + ESCAPES] += SUBCONTEXT_ESCAPE_DELTA;
                    total += SUBCONTEXT_ESCAPE_DELTA;
                }
                total = (char) (total + SUBCONTEXT_SYMBOL_DELTA);
                p[patch + TOTAL] = (char) total;
                if (count > 0xFF - 2 * SUBCONTEXT_SYMBOL_DELTA || total > TOTAL_LIMIT) {
                    rescaleContext(p, patch);
                }
            }
            p[link] = (char) symbol;
            if (outPos >= outEnd) {
                result = 0;
                break decoding;
            }
            out[outPos++] = (byte) value;
            if (order >= SUBCONTEXT_ORDER) {
                p[PREDICTED] = p[p[PREDICTED] + PARENT];
            } else {
                order++;
            }
            if (next >= POOL_FULL) {
                next = restartModel(p, next);
                order = 0;
            }
        }
        inUse = next;
        return result;
    }
}
