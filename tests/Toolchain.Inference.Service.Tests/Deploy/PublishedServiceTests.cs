using System.Net;
using System.Net.Http.Headers;
using Toolchain.Inference.Service.Lifecycle;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Deploy;

/// <summary>
/// The folder <c>make publish-service</c> writes (what the Dockerfile's runtime stage copies) runs on its own: copied
/// to a fresh folder made read-only, as a container's read-only root file system, its apphost started from there with
/// no checkout around it and no <c>dotnet</c> on the command line. <c>make publish-service-test</c> publishes, names the
/// folder in <see cref="FolderVariable"/> and runs only these tests; <c>make test</c> runs them through that target,
/// so the solution's run leaves them out by their trait.
/// </summary>
[Trait("Category", Category)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PublishedServiceTests : IDisposable
{
    /// <summary>The trait that keeps these tests out of the solution's run.</summary>
    public const string Category = "PublishedService";

    /// <summary>The environment variable that names the published folder.</summary>
    public const string FolderVariable = "TOOLCHAIN_PUBLISHED_SERVICE";

    private readonly TempDir _dir = new();

    public void Dispose()
    {
        // The copy was made read-only; its folders need write permission back before it can be deleted.
        foreach (var folder in Directory.EnumerateDirectories(_dir.Path, "*", SearchOption.AllDirectories).Prepend(_dir.Path))
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        _dir.Dispose();
    }

    [Fact]
    public async Task The_published_folder_runs_alone_from_a_read_only_copy_classifies_and_drains_on_SIGTERM()
    {
        var published = Environment.GetEnvironmentVariable(FolderVariable);
        Assert.False(string.IsNullOrEmpty(published), $"{FolderVariable} names no folder: 'make publish-service-test' publishes the service and sets it");
        Assert.True(File.Exists(Path.Combine(published, "Toolchain.Inference.Service")), $"{published} holds no Toolchain.Inference.Service apphost");

        var app = _dir.File("app");
        CopyReadOnly(published, app);
        var model = _dir.File("repo/tiny/1/model.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(model)!);
        LabelledTinyModels.Write(model, "digit ", withIntegrity: true);

        await using var service = await ServiceProcess.StartAsync(
            Path.Combine(app, "Toolchain.Inference.Service"),
            ["--model-repository", _dir.File("repo"), "--Classifier:Provider", "Cpu", "--Shutdown:Drain", "00:00:00.5"],
            workingDirectory: app);

        using (var live = await service.Client.GetAsync(ServiceHealth.LivePath))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }
        await service.WaitForStatusAsync(ServiceHealth.ReadyPath, 200);
        var png = new ByteArrayContent(LabelledTinyModels.Png(3));
        png.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        using (var answer = await service.Client.PostAsync("/v1/classify", png))
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Contains("\"label\":\"digit 3\"", await answer.Content.ReadAsStringAsync());
        }

        service.Terminate();
        Assert.Equal(0, await service.ExitCodeAsync(TimeSpan.FromSeconds(30)));
    }

    private static void CopyReadOnly(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            var copy = Path.Combine(to, Path.GetFileName(file));
            File.Copy(file, copy);
            File.SetUnixFileMode(copy, File.GetUnixFileMode(copy) & ~(UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));
        }
        foreach (var folder in Directory.EnumerateDirectories(from))
        {
            CopyReadOnly(folder, Path.Combine(to, Path.GetFileName(folder)));
        }
        File.SetUnixFileMode(to, File.GetUnixFileMode(to) & ~(UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));
    }
}
