using System.Diagnostics;
using System.Reflection;
using Inference;

namespace Toolchain.Inference.Cli.Tests.Export.Triton;

/// <summary>
/// Reads a config.pbtxt as Triton does: protoc (from the Grpc.Tools package) parses the text format against our schema of
/// Triton's fields (triton_config_schema.proto) and encodes it, and the C# classes generated from the same schema decode it.
/// </summary>
internal static class TritonConfigParser
{
    private static string Metadata(string key) =>
        typeof(TritonConfigParser).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    /// <summary>The parsed configuration; throws with protoc's message when the text does not parse.</summary>
    public static ModelConfig Parse(string pbtxt)
    {
        var protoc = Metadata("Protoc");
        var proto = Metadata("TritonModelConfigProto");
        // NuGet does not keep the executable bit on every file it extracts.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(protoc, File.GetUnixFileMode(protoc) | UnixFileMode.UserExecute);
        }
        var start = new ProcessStartInfo(protoc)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("--encode=inference.ModelConfig");
        start.ArgumentList.Add($"--proto_path={Path.GetDirectoryName(proto)}");
        start.ArgumentList.Add(Path.GetFileName(proto));
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        using var encoded = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(encoded);
        process.StandardInput.Write(pbtxt);
        process.StandardInput.Close();
        copy.Wait();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new FormatException($"protoc rejects the configuration: {stderr.Result.Trim()}");
        }
        return ModelConfig.Parser.ParseFrom(encoded.ToArray());
    }
}
