package io.speculum.detector.command;

import io.speculum.detector.calibration.Roc;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** Draws ROC curves, one per method, into a PNG (Java2D, headless). */
final class RocPlot {

    private static final Color[] COLOURS = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    private RocPlot() {
    }

    static void write(Path file, String title, Map<String, Roc> curves) {
        System.setProperty("java.awt.headless", "true");
        int width = 900;
        int height = 700;
        int left = 70;
        int top = 50;
        int plot = 560;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, left, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawRect(left, top, plot, plot);
        for (int i = 0; i <= 10; i++) {
            int x = left + plot * i / 10;
            int y = top + plot - plot * i / 10;
            g.setColor(new Color(0xeeeeee));
            g.drawLine(x, top + 1, x, top + plot - 1);
            g.drawLine(left + 1, y, left + plot - 1, y);
            g.setColor(Color.BLACK);
            g.drawString(String.format("%.1f", i / 10.0), x - 8, top + plot + 16);
            g.drawString(String.format("%.1f", i / 10.0), left - 30, y + 4);
        }
        g.drawString("false-positive rate", left + plot / 2 - 50, top + plot + 36);
        g.drawString("true-positive rate", 8, top - 10);
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {4, 4}, 0));
        g.drawLine(left, top + plot, left + plot, top);
        g.setStroke(new BasicStroke(2));
        int index = 0;
        for (Map.Entry<String, Roc> entry : curves.entrySet()) {
            Color colour = COLOURS[index % COLOURS.length];
            g.setColor(colour);
            List<double[]> points = entry.getValue().curve();
            for (int i = 1; i < points.size(); i++) {
                double[] a = points.get(i - 1);
                double[] b = points.get(i);
                g.drawLine(left + (int) (a[0] * plot), top + plot - (int) (a[1] * plot),
                        left + (int) (b[0] * plot), top + plot - (int) (b[1] * plot));
            }
            int legendY = top + 20 + index * 20;
            g.fillRect(left + plot + 20, legendY - 10, 14, 10);
            g.setColor(Color.BLACK);
            g.drawString(String.format("%s (AUROC %.3f)", entry.getKey(), entry.getValue().auroc()), left + plot + 40, legendY);
            index++;
        }
        g.dispose();
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            ImageIO.write(image, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
