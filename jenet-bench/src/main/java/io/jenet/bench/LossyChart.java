package io.jenet.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;

/**
 * LossyHarness's chart: the stream's p99 round trip against loss, one panel per one-way latency,
 * a line per pair (C → C and jenet → jenet solid, the mixed pairs dashed), on a log scale. Drawn by
 * JFreeChart and written as SVG by JFreeSVG.
 */
final class LossyChart {
    private LossyChart() {}

    /** Colours by pair code; others grey. */
    private static final Map<String, Color> COLOURS = Map.of("cc", new Color(0x1f77b4), "jj", new Color(0xd62728),
            "cj", new Color(0x2ca02c), "jc", new Color(0x9467bd), "xx", new Color(0x8c564b));

    private static final java.awt.Shape[] SHAPES = org.jfree.chart.plot.DefaultDrawingSupplier.createStandardSeriesShapes();

    /**
     * Writes the chart.
     *
     * @param svg the file
     * @param cells the loss × latency cells (no bandwidth cap)
     * @param pairs the pairs, in legend order
     * @param p99 p99 in ms by cell and pair code (NaN: no result)
     * @throws IOException if the file cannot be written
     */
    static void write(Path svg, List<LossyHarness.Cell> cells, List<LossyHarness.Pair> pairs,
                      Map<LossyHarness.Cell, Map<String, Double>> p99) throws IOException {
        Map<Integer, List<LossyHarness.Cell>> byLatency = new TreeMap<>();
        for (LossyHarness.Cell c : cells) {
            if (c.bandwidth() == 0) {
                byLatency.computeIfAbsent(c.latency(), k -> new java.util.ArrayList<>()).add(c);
            }
        }
        NumberAxis loss = new NumberAxis("loss each way, %");
        loss.setAutoRangeIncludesZero(true);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(loss);
        plot.setGap(12);
        XYPlot first = null;
        int jitter = cells.isEmpty() ? 0 : cells.get(0).jitter();
        for (Map.Entry<Integer, List<LossyHarness.Cell>> e : byLatency.entrySet()) {
            XYSeriesCollection data = new XYSeriesCollection();
            XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
            int i = 0;
            for (LossyHarness.Pair p : pairs) {
                XYSeries s = new XYSeries(p.label(), true, false);
                for (LossyHarness.Cell c : e.getValue()) {
                    Double v = p99.getOrDefault(c, Map.of()).get(p.code());
                    if (v != null && !v.isNaN() && v > 0) {
                        s.add(c.loss(), v);
                    }
                }
                data.addSeries(s);
                renderer.setSeriesPaint(i, COLOURS.getOrDefault(p.code(), Color.GRAY));
                renderer.setSeriesShape(i, SHAPES[i % SHAPES.length]); // the same in every panel as in the legend
                renderer.setSeriesStroke(i, p.mixed()
                        ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f)
                        : new BasicStroke(2f));
                i++;
            }
            // Log scale: p99 goes from tens of ms to seconds across the losses; this axis labels
            // 1..9 × 10^n where a panel spans less than a decade or two.
            LogarithmicAxis y = new LogarithmicAxis("p99 ms, " + e.getKey() + " ms one way");
            y.setStrictValuesFlag(false);
            y.setAutoRangeNextLogFlag(false);
            XYPlot sub = new XYPlot(data, null, y, renderer);
            sub.setBackgroundPaint(Color.WHITE);
            sub.setDomainGridlinePaint(Color.LIGHT_GRAY);
            sub.setRangeGridlinePaint(Color.LIGHT_GRAY);
            plot.add(sub, 1);
            if (first == null) {
                first = sub;
            }
        }
        JFreeChart chart = new JFreeChart("Stream round trip p99 against loss (jitter " + jitter + " ms)",
                new Font("SansSerif", Font.BOLD, 16), plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        if (first != null) {
            LegendTitle legend = new LegendTitle(first);
            legend.setPosition(RectangleEdge.BOTTOM);
            chart.addSubtitle(legend);
        }
        int width = 800;
        int height = 120 + 260 * Math.max(1, byLatency.size());
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        chart.draw(g, new Rectangle(0, 0, width, height));
        SVGUtils.writeToSVG(svg.toFile(), g.getSVGElement());
    }
}
