package io.jenet.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;

/**
 * The loopback harness's chart: jenet→jenet throughput as a ratio to C→C, one bar per JDK for each
 * row, with a line at 1.0 (C ENet). Drawn by JFreeChart, written as SVG by JFreeSVG.
 */
final class RatioChart {
    private static final Color[] COLOURS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)};

    private RatioChart() {
    }

    /**
     * Writes the chart.
     *
     * @param svg the file
     * @param ratios row name → JDK label → ratio to C (NaN: no result), in table order
     * @throws IOException if the file cannot be written
     */
    static void write(Path svg, Map<String, Map<String, Double>> ratios) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Map.Entry<String, Map<String, Double>> row : ratios.entrySet()) {
            for (Map.Entry<String, Double> jdk : row.getValue().entrySet()) {
                double v = jdk.getValue();
                data.addValue(Double.isNaN(v) ? null : v, jdk.getKey(), row.getKey());
            }
        }
        CategoryAxis rows = new CategoryAxis(null);
        rows.setTickLabelFont(new Font("SansSerif", Font.PLAIN, 11));
        rows.setMaximumCategoryLabelWidthRatio(0.6f);
        NumberAxis ratio = new NumberAxis("jenet→jenet msg/s ÷ C→C msg/s");
        ratio.setAutoRangeIncludesZero(true);
        BarRenderer bars = new BarRenderer();
        bars.setBarPainter(new StandardBarPainter());
        bars.setShadowVisible(false);
        bars.setItemMargin(0.05);
        for (int i = 0; i < data.getRowCount(); i++) {
            bars.setSeriesPaint(i, COLOURS[i % COLOURS.length]);
        }
        CategoryPlot plot = new CategoryPlot(data, rows, ratio, bars);
        plot.setOrientation(PlotOrientation.HORIZONTAL);
        plot.setRangeAxisLocation(org.jfree.chart.axis.AxisLocation.BOTTOM_OR_RIGHT);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ValueMarker c = new ValueMarker(1.0, Color.BLACK, new BasicStroke(1.5f));
        c.setLabel("C ENet = 1.0");
        c.setLabelFont(new Font("SansSerif", Font.PLAIN, 11));
        plot.addRangeMarker(c);
        JFreeChart chart = new JFreeChart("jenet against C ENet on loopback, per row and JDK",
                new Font("SansSerif", Font.BOLD, 15), plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        LegendTitle legend = new LegendTitle(plot);
        legend.setPosition(RectangleEdge.BOTTOM);
        chart.addSubtitle(legend);
        int width = 1000;
        int height = 140 + 38 * Math.max(1, data.getColumnCount()) * Math.max(1, (data.getRowCount() + 1) / 2);
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        chart.draw(g, new Rectangle(0, 0, width, height));
        SVGUtils.writeToSVG(svg.toFile(), g.getSVGElement());
    }
}
