package io.oneloop.bench.harness;

import io.vertx.core.json.JsonObject;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;

/** The results chart: four panels of medians per peer. */
final class Chart {
  private Chart() {
  }

  private static final Color[] COLORS = {
      new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728)};

  static void write(JsonObject result, Path png) throws Exception {
    System.setProperty("java.awt.headless", "true");
    JsonObject peers = result.getJsonObject("summary");
    int clients = result.getJsonObject("settings").getInteger("clients");

    DefaultCategoryDataset s2 = new DefaultCategoryDataset();
    DefaultCategoryDataset lat = new DefaultCategoryDataset();
    DefaultCategoryDataset mem = new DefaultCategoryDataset();
    DefaultCategoryDataset life = new DefaultCategoryDataset();
    boolean cds = false;
    for (String id : peers.fieldNames()) {
      JsonObject c = peers.getJsonObject(id).getJsonObject("s3Cds");
      cds |= c != null && c.getValue("medianMs") != null;
    }
    for (String id : peers.fieldNames()) {
      JsonObject p = peers.getJsonObject(id);
      add(s2, p, "s2", "maxDeliveriesPerSec", "max sustained deliveries/s", id, 1);
      add(lat, p, "s1", "p50Ms", "p50", id, 1);
      add(lat, p, "s1", "p99Ms", "p99", id, 1);
      add(lat, p, "s1", "maxMs", "max", id, 1);
      add(mem, p, "s5", "idleRssMiB", "idle", id, 1);
      add(mem, p, "s5", "clientsRssMiB", clients + " idle clients", id, 1);
      add(life, p, "s3", "medianMs", "S3 start to /health", id, 1);
      if (cds) {
        add(life, p, "s3Cds", "medianMs", "S3 with AppCDS (JVM peers)", id, 1);
      }
      add(life, p, "s4", "medianMs", "S4 SIGINT to exit (" + clients + " clients)", id, 1);
    }
    JFreeChart[] charts = {
        bar("S2 saturation: highest sustained deliveries/s (" + clients + " clients)", "deliveries/s",
            s2, false, "#,##0"),
        bar("S1 steady (20 msg/s to " + clients + " clients): latency, ms (log scale)", "ms", lat,
            true, "0.0#"),
        bar("S5 memory: RSS, MiB", "MiB", mem, false, "0"),
        bar("S3 start / S4 stop, ms", "ms", life, false, "0")};
    int w = 900;
    int h = 560;
    BufferedImage img = new BufferedImage(2 * w, 2 * h + 50, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.setColor(Color.BLACK);
    g.setFont(new Font("SansSerif", Font.BOLD, 22));
    int rounds = result.getInteger("roundsCompleted",
        result.getJsonObject("settings").getInteger("rounds"));
    g.drawString("oneloop benchmark (" + result.getString("mode") + " run, "
        + (rounds == 1 ? "1 round, " : "medians of " + rounds + " rounds, ")
        + result.getString("startedAt").substring(0, 10) + ")", 20, 34);
    for (int i = 0; i < 4; i++) {
      charts[i].draw(g, new Rectangle2D.Double((i % 2) * w, 50 + (i / 2) * h, w, h));
    }
    g.dispose();
    Files.createDirectories(png.getParent());
    ImageIO.write(img, "png", png.toFile());
  }

  private static void add(DefaultCategoryDataset d, JsonObject p, String sc, String key,
      String series, String peer, double scale) {
    JsonObject o = p.getJsonObject(sc);
    Object v = o == null ? null : o.getValue(key);
    if (v instanceof Number n && n.doubleValue() > 0) {
      d.addValue(n.doubleValue() * scale, series, peer);
    } else {
      d.addValue(null, series, peer);
    }
  }

  private static JFreeChart bar(String title, String yLabel, DefaultCategoryDataset data,
      boolean log, String fmt) {
    JFreeChart c = ChartFactory.createBarChart(title, null, yLabel, data, PlotOrientation.VERTICAL,
        data.getRowCount() > 1, false, false);
    c.getTitle().setFont(new Font("SansSerif", Font.BOLD, 15));
    CategoryPlot plot = c.getCategoryPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlineStroke(new BasicStroke(1f));
    CategoryAxis x = plot.getDomainAxis();
    boolean many = data.getColumnCount() > 5;
    x.setTickLabelFont(new Font("SansSerif", Font.PLAIN, many ? 11 : 13));
    x.setCategoryLabelPositions(many ? CategoryLabelPositions.UP_45 : CategoryLabelPositions.STANDARD);
    BarRenderer r = (BarRenderer) plot.getRenderer();
    r.setBarPainter(new StandardBarPainter());
    r.setShadowVisible(false);
    r.setItemMargin(0.05);
    for (int i = 0; i < COLORS.length; i++) {
      r.setSeriesPaint(i, COLORS[i]);
    }
    r.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}",
        new DecimalFormat(fmt)));
    r.setDefaultItemLabelsVisible(true);
    r.setDefaultItemLabelFont(new Font("SansSerif", Font.PLAIN, 11));
    if (log) {
      LogAxis axis = new LogAxis(yLabel);
      axis.setSmallestValue(0.01);
      axis.setAutoRange(true);
      // one tick per power of ten, labelled in plain milliseconds rather than as 10^x
      axis.setTickUnit(new NumberTickUnit(1.0));
      axis.setMinorTickCount(9);
      axis.setNumberFormatOverride(new DecimalFormat("#,##0.##"));
      plot.setRangeAxis(axis);
      r.setIncludeBaseInRange(false);
      r.setBase(0.01);
    }
    plot.getRangeAxis().setUpperMargin(0.15);
    return c;
  }
}
