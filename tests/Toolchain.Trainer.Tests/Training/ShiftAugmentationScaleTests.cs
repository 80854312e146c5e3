using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Toolchain.Trainer.Cli;
using Toolchain.Trainer.Training;

namespace Toolchain.Trainer.Tests.Training;

[Collection(TorchRandomState.Name)]
public class ShiftAugmentationScaleTests
{
    [Theory]
    [InlineData(1, 28, 28, 1)]
    [InlineData(1, 32, 32, 1)]
    [InlineData(1, 64, 64, 2)]
    [InlineData(1, 64, 40, 1)] // the shorter side decides
    [InlineData(1, 42, 96, 2)] // 1.5 rounds up
    [InlineData(1, 8, 8, 1)]
    [InlineData(1, 96, 96, 3)]
    [InlineData(1, 1024, 1024, 8)]
    [InlineData(2, 28, 28, 2)]
    [InlineData(0, 64, 64, 0)]
    public void The_presets_shift_scales_with_the_shorter_side(int shiftAt28, int height, int width, int expected) =>
        Assert.Equal(expected, ShiftAugmentation.ScaledTo(shiftAt28, height, width));

    private static (int Code, string Out, string Err, Dictionary<string, string> Hyper) Train(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = TrainCommand.Run(args, output, error, CancellationToken.None);
        var outDir = args[Array.IndexOf(args, "--out") + 1];
        var hyper = code == 0 ? new Dictionary<string, string>(Checkpoint.Read(Path.Combine(outDir, Checkpoint.FileName)).Card.Hyperparameters) : [];
        return (code, output.ToString(), error.ToString(), hyper);
    }

    private static string Folder(TempDir dir, int side, string dark = "dark", string light = "light")
    {
        var data = Path.Combine(dir.Path, "data");
        for (int i = 0; i < 5; i++)
        {
            foreach (var (name, shade) in new[] { (dark, (byte)(30 + i)), (light, (byte)(200 + i)) })
            {
                Directory.CreateDirectory(Path.Combine(data, name));
                using var image = new Image<L8>(side, side, new L8(shade));
                image.SaveAsPng(Path.Combine(data, name, $"{i}.png"));
            }
        }
        return data;
    }

    [Fact]
    public void A_64_pixel_folder_shifts_by_2_by_default_and_the_card_says_so_and_an_explicit_augment_wins()
    {
        using var dir = new TempDir();
        var data = Folder(dir, 64);

        var scaled = Train("mlp", "--dataset", data, "--epochs", "1", "--no-export", "--out", Path.Combine(dir.Path, "a"));
        var given = Train("mlp", "--dataset", data, "--epochs", "1", "--no-export", "--augment", "1", "--out", Path.Combine(dir.Path, "b"));

        Assert.True(scaled.Code == 0, scaled.Err);
        Assert.Equal("2", scaled.Hyper["augment_shift"]);
        Assert.Contains("augment: shifts of up to 2 px for 64×64 images", scaled.Out, StringComparison.Ordinal);
        Assert.True(given.Code == 0, given.Err);
        Assert.Equal("1", given.Hyper["augment_shift"]);
        Assert.DoesNotContain("augment:", given.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void A_28_pixel_folder_keeps_the_presets_one_pixel_and_the_plain_preset_none()
    {
        using var dir = new TempDir();
        var data = Folder(dir, 28);

        var preset = Train("mlp", "--dataset", data, "--epochs", "1", "--no-export", "--out", Path.Combine(dir.Path, "a"));
        var plain = Train("mlp", "--dataset", data, "--epochs", "1", "--no-export", "--preset", "plain", "--out", Path.Combine(dir.Path, "b"));

        Assert.Equal("1", preset.Hyper["augment_shift"]);
        Assert.DoesNotContain("augment: shifts", preset.Out, StringComparison.Ordinal);
        Assert.Equal("0", plain.Hyper["augment_shift"]);
        Assert.Equal("none", plain.Hyper["augment"]);
    }

    [Fact]
    public void Pictures_get_the_light_level_by_default_with_flips_and_the_card_records_every_setting()
    {
        using var dir = new TempDir();
        var data = Folder(dir, 12);

        var run = Train("mlp", "--dataset", data, "--epochs", "1", "--no-export", "--out", Path.Combine(dir.Path, "a"));

        Assert.True(run.Code == 0, run.Err);
        Assert.Contains("augment: light: crops of 85–100% of the area, rotations up to ±10°, horizontal flips, colour jitter 0.1", run.Out, StringComparison.Ordinal);
        Assert.Equal(("light", "1", "0.85", "10", "true", "0.1"),
            (run.Hyper["augment"], run.Hyper["augment_shift"], run.Hyper["augment_crop_scale"], run.Hyper["augment_rotation"], run.Hyper["augment_flip"], run.Hyper["augment_colour_jitter"]));
    }

    [Theory]
    [InlineData(new string[0], "shift", null)]
    [InlineData(new[] { "--augment", "standard" }, "standard", "false")]
    [InlineData(new[] { "--augment", "standard", "--flip", "on" }, "standard", "true")]
    [InlineData(new[] { "--augment", "none" }, "none", null)]
    public void Digit_folders_keep_shifts_by_default_and_never_flip_unless_told(string[] extra, string level, string? flip)
    {
        using var dir = new TempDir();
        var data = Folder(dir, 12, dark: "0", light: "1");

        var run = Train(["mlp", "--dataset", data, "--epochs", "1", "--no-export", "--out", Path.Combine(dir.Path, "a"), .. extra]);

        Assert.True(run.Code == 0, run.Err);
        Assert.Equal(level, run.Hyper["augment"]);
        Assert.Equal(flip, run.Hyper.GetValueOrDefault("augment_flip"));
        Assert.Equal(level == "none" ? "0" : "1", run.Hyper["augment_shift"]);
    }

    [Fact]
    public void Augmentation_is_recorded_in_the_card_and_never_in_the_exported_graph()
    {
        using var dir = new TempDir();
        var data = Folder(dir, 12);
        string[] common = ["mlp", "--dataset", data, "--epochs", "1", "--arch", "flatten linear(8) relu linear(2)"];

        var plain = Train([.. common, "--augment", "none", "--out", Path.Combine(dir.Path, "a")]);
        var varied = Train([.. common, "--augment", "standard", "--out", Path.Combine(dir.Path, "b")]);

        Assert.True(plain.Code == 0 && varied.Code == 0, plain.Err + varied.Err);
        var graphs = new[] { "a", "b" }.Select(d => global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(dir.Path, d, "model.onnx"))).Graph).ToArray();
        Assert.Equal(graphs[0].Node.Select(n => (n.OpType, n.Name)), graphs[1].Node.Select(n => (n.OpType, n.Name)));
        Assert.Equal(graphs[0].Input.Select(i => i.ToString()), graphs[1].Input.Select(i => i.ToString()));
        Assert.Equal(graphs[0].Initializer.Select(i => i.Name), graphs[1].Initializer.Select(i => i.Name));
        Assert.Equal(("none", "standard"), (plain.Hyper["augment"], varied.Hyper["augment"]));
    }

    [Theory]
    [InlineData("--augment", "sideways", "--augment: unknown augmentation 'sideways' (known: none, light, standard, auto, or a shift of 0 to 8 pixels)")]
    [InlineData("--augment", "9", "--augment must be a shift from 0 to 8 pixels, not 9")]
    [InlineData("--flip", "maybe", "--flip: unknown flip mode 'maybe' (known: auto, on, off)")]
    public void A_bad_augment_or_flip_is_one_line(string flag, string value, string message)
    {
        using var dir = new TempDir();

        var run = Train("mlp", flag, value, "--out", dir.Path);

        Assert.Equal(1, run.Code);
        Assert.Equal($"trainer train: {message}", run.Err.TrimEnd());
    }

    [Fact]
    public void A_table_records_no_shift_even_with_epochs_given_and_refuses_a_positive_augment_with_one_line()
    {
        using var dir = new TempDir();
        var csv = Path.Combine(dir.Path, "t.csv");
        File.WriteAllText(csv, string.Concat(Enumerable.Range(0, 20).Select(i => $"{i % 2 + (i * 0.01)},{(i % 2 == 0 ? "a" : "b")}\n").Prepend("x,y\n")));

        var table = Train("mlp", "--dataset", csv, "--label-column", "y", "--test-fraction", "0.25", "--epochs", "2", "--no-export", "--out", Path.Combine(dir.Path, "a"));
        var refused = Train("mlp", "--dataset", csv, "--label-column", "y", "--test-fraction", "0.25", "--augment", "2", "--out", Path.Combine(dir.Path, "b"));

        Assert.True(table.Code == 0, table.Err);
        Assert.Equal("0", table.Hyper["augment_shift"]);
        Assert.Equal(1, refused.Code);
        Assert.Contains("--augment varies images", Assert.Single(refused.Err.TrimEnd().Split('\n')), StringComparison.Ordinal);
    }
}
