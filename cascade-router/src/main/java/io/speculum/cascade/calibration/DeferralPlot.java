package io.speculum.cascade.calibration;

import io.speculum.cascade.deferral.DeferralCurve;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Draws deferral curves (quality against deferral rate) into a PNG with Java2D. */
public final class DeferralPlot {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 600;
    private static final int LEFT = 80;
    private static final int RIGHT = 230;
    private static final int TOP = 60;
    private static final int BOTTOM = 70;
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf), new Color(0xbcbd22)};

    private DeferralPlot() {
    }

    public static void write(Path file, String title, List<DeferralCurve> curves) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            double min = curves.stream().flatMapToDouble(c -> java.util.Arrays.stream(c.qualities())).min().orElse(0);
            double max = curves.stream().flatMapToDouble(c -> java.util.Arrays.stream(c.qualities())).max().orElse(1);
            double pad = Math.max(1e-9, (max - min) * 0.05);
            double low = min - pad;
            double high = max + pad;
            int plotWidth = WIDTH - LEFT - RIGHT;
            int plotHeight = HEIGHT - TOP - BOTTOM;
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            g.setColor(new Color(0xdddddd));
            for (int i = 0; i <= 10; i++) {
                int x = LEFT + plotWidth * i / 10;
                int y = TOP + plotHeight * i / 10;
                g.drawLine(x, TOP, x, TOP + plotHeight);
                g.drawLine(LEFT, y, LEFT + plotWidth, y);
            }
            g.setColor(Color.BLACK);
            g.drawRect(LEFT, TOP, plotWidth, plotHeight);
            for (int i = 0; i <= 10; i += 2) {
                int x = LEFT + plotWidth * i / 10;
                g.drawString(String.format(Locale.ROOT, "%.1f", i / 10.0), x - 10, TOP + plotHeight + 18);
                double q = low + (high - low) * i / 10;
                int y = TOP + plotHeight - plotHeight * i / 10;
                g.drawString(String.format(Locale.ROOT, "%.3f", q), LEFT - 50, y + 5);
            }
            g.drawString("deferral rate", LEFT + plotWidth / 2 - 40, HEIGHT - 25);
            g.drawString("average quality", 10, TOP - 10);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(title, LEFT, 25);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            for (int c = 0; c < curves.size(); c++) {
                DeferralCurve curve = curves.get(c);
                boolean reference = curve.name().equals("random") || curve.name().equals("oracle");
                g.setColor(curve.name().equals("random") ? Color.GRAY : curve.name().equals("oracle") ? Color.BLACK : PALETTE[c % PALETTE.length]);
                g.setStroke(reference ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 5f}, 0f)
                        : new BasicStroke(2f));
                Path2D path = new Path2D.Double();
                double[] rates = curve.rates();
                double[] qualities = curve.qualities();
                for (int i = 0; i < rates.length; i++) {
                    double x = LEFT + rates[i] * plotWidth;
                    double y = TOP + plotHeight - (qualities[i] - low) / (high - low) * plotHeight;
                    if (i == 0) {
                        path.moveTo(x, y);
                    } else {
                        path.lineTo(x, y);
                    }
                }
                g.draw(path);
                int ly = TOP + 20 + c * 22;
                g.drawLine(WIDTH - RIGHT + 15, ly - 5, WIDTH - RIGHT + 45, ly - 5);
                g.setColor(Color.BLACK);
                g.drawString(String.format(Locale.ROOT, "%s (%.4f)", curve.name(), curve.area()), WIDTH - RIGHT + 52, ly);
            }
        } finally {
            g.dispose();
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            ImageIO.write(image, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
