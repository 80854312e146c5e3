using Toolchain.Contracts;
using Toolchain.Trainer.Training;

namespace Toolchain.Trainer.Tests.Training;

[Collection(TorchRandomState.Name)]
public class CheckpointValidationTests(XorCheckpointFixture checkpoint) : IClassFixture<XorCheckpointFixture>, IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private InvalidInputFileException ReadFails(byte[] bytes)
    {
        var path = Path.Combine(_dir.Path, "damaged.ckpt");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidInputFileException>(() => Checkpoint.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Fact]
    public void The_undamaged_checkpoint_reads_and_loads()
    {
        var path = Path.Combine(_dir.Path, "good.ckpt");
        File.WriteAllBytes(path, checkpoint.Good);
        var loaded = Checkpoint.Load(path);
        using var model = loaded.Model;
        Assert.Equal([2L], loaded.InputShape);
        Assert.Equal(1, loaded.Epoch);
    }

    /// <summary>The options of the fixture's xor run as checkpoints wrote them when the recipe settings were strings.</summary>
    private const string StringEraXorOptions =
        """{"Model":"xor","Architecture":"linear(2) sigmoid linear(1) sigmoid","Dataset":"xor","Epochs":1,"BatchSize":25,"LearningRate":0.5,"Optimizer":"sgd","Momentum":0,"WeightDecay":0,"LrSchedule":"none","AugmentShift":0,"Loss":"mse","ElementType":"float64","Seed":0,"Restarts":1,"NormalizationMean":null,"NormalizationStd":null,"DataSeed":0,"LabelColumn":null,"TestFraction":null,"SplitSeed":0,"Channels":null,"ImageSize":null,"Strict":false,"Preset":"default"}""";

    [Fact]
    public void A_checkpoint_writes_its_options_in_the_words_it_used_before_they_were_enums()
    {
        var header = System.Text.Json.Nodes.JsonNode.Parse(CheckpointFiles.Sections(checkpoint.Good)[0])!;
        Assert.Equal(StringEraXorOptions, RecipeTextTests.WithoutLaterFields(header["Options"]!.ToJsonString()));
    }

    [Fact]
    public void A_checkpoint_with_string_era_options_loads_and_resumes_with_them()
    {
        var old = System.Text.Json.Nodes.JsonNode.Parse(RecipeTextTests.StringEraMlpOptions)!.AsObject();
        // The fixture's xor network under an mlp run's recipe words: every string-era value must read back.
        old["Model"] = "xor";
        old["Architecture"] = "linear(2) sigmoid linear(1) sigmoid";
        old["ElementType"] = "float64";
        old["AugmentShift"] = 0;
        var path = Path.Combine(_dir.Path, "old.ckpt");
        File.WriteAllBytes(path, CheckpointFiles.WithHeader(checkpoint.Good, h => h["Options"] = old));
        var contents = Checkpoint.Read(path);
        Assert.Equal((BuiltInModel.Xor, OptimizerKind.Adam, LearningRateDecay.Cosine, LossFunction.CrossEntropy, RecipePreset.Plain),
            (contents.Options.Model, contents.Options.Optimizer, contents.Options.LrSchedule, contents.Options.Loss, contents.Options.Preset));
        var loaded = Checkpoint.Load(path);
        using var model = loaded.Model;
        Assert.Equal(BuiltInModel.Xor, loaded.Options!.Model);
    }

    [Theory]
    [MemberData(nameof(CheckpointFiles.BadHeaders), MemberType = typeof(CheckpointFiles))]
    public void A_header_with_a_missing_or_impossible_field_is_refused_when_read(string edit, string[] facts)
    {
        var e = ReadFails(CheckpointFiles.WithHeader(checkpoint.Good, CheckpointFiles.Edit(edit)));
        Assert.All(facts, fact => Assert.Contains(fact, e.Problem));
    }

    [Fact]
    public void A_negative_section_length_is_reported_as_corrupt_not_truncated()
    {
        var bytes = (byte[])checkpoint.Good.Clone();
        int rngLength = CheckpointFiles.MagicLength + 8 + CheckpointFiles.Sections(bytes)[0].Length;
        BitConverter.GetBytes(-1L).CopyTo(bytes, rngLength);
        var problem = ReadFails(bytes).Problem;
        Assert.Contains("random-state", problem);
        Assert.Contains("negative", problem);
        Assert.DoesNotContain("truncated", problem);
    }

    [Fact]
    public void A_section_longer_than_the_rest_of_the_file_names_the_section()
    {
        int n = CheckpointFiles.Sections(checkpoint.Good)[3].Length;
        var problem = ReadFails(checkpoint.Good[..^1]).Problem;
        Assert.All(["truncated", "optimizer", $"{n} bytes", $"{n - 1}"], fact => Assert.Contains(fact, problem));
    }

    [Fact]
    public void Bytes_after_the_last_section_are_refused()
    {
        var problem = ReadFails([.. checkpoint.Good, .. new byte[16]]).Problem;
        Assert.Contains("corrupt", problem);
        Assert.Contains("16 bytes", problem);
    }

    [Fact]
    public void A_random_state_of_the_wrong_size_is_refused_before_torch_sees_it()
    {
        var sections = CheckpointFiles.Sections(checkpoint.Good);
        sections[1] = sections[1][..100];
        var problem = ReadFails(CheckpointFiles.Join(checkpoint.Good, sections)).Problem;
        Assert.Contains("random state", problem);
        Assert.Contains("100 bytes", problem);
    }

    [Fact]
    public void A_directory_is_refused_as_not_a_checkpoint()
    {
        var e = Assert.Throws<InvalidInputFileException>(() => Checkpoint.Read(_dir.Path));
        Assert.Equal(_dir.Path, e.FilePath);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("directory", e.Problem);
    }
}
