namespace Toolchain.Inference.Quantization.Measuring;

/// <summary>
/// What this machine's CPU offers 8-bit inference, from /proc/cpuinfo: the model name and the instruction-set flags
/// that decide whether INT8 beats float32 here. VNNI (<c>avx512_vnni</c>, <c>avx_vnni</c>) multiplies and adds 8-bit
/// values into 32-bit sums in one instruction; AMX (<c>amx_int8</c>) does it on whole tiles; without either, AVX2 and
/// AVX-512BW need three instructions per step and saturate 16-bit partial sums, so INT8 gains little or nothing.
/// </summary>
public sealed record CpuFeatures(string Model, IReadOnlyList<string> Flags, int LogicalCpus)
{
    /// <summary>The flags that matter for INT8 and float16, in the order they are reported.</summary>
    public static readonly IReadOnlyList<string> Relevant =
        ["amx_int8", "avx512_vnni", "avx_vnni", "avx512bw", "avx512f", "avx2", "avx512_fp16", "avx512_bf16", "f16c"];

    /// <summary>Whether the CPU has 8-bit dot-product instructions (VNNI or AMX).</summary>
    public bool HasInt8DotProduct => Flags.Any(f => f is "avx512_vnni" or "avx_vnni" or "amx_int8");

    /// <summary>The INT8 instructions by name, e.g. "avx512_vnni, avx_vnni", or "none (no VNNI or AMX)".</summary>
    public string Int8Instructions
    {
        get
        {
            var present = Flags.Where(f => f is "amx_int8" or "avx512_vnni" or "avx_vnni").ToList();
            return present.Count > 0 ? string.Join(", ", present) : "none (no VNNI or AMX)";
        }
    }

    /// <summary>One line naming the CPU and its relevant flags, e.g. "AMD EPYC (avx512_vnni avx_vnni avx512bw avx2), 2 logical CPUs".</summary>
    public string Describe() =>
        $"{Model} ({(Flags.Count > 0 ? string.Join(' ', Flags) : "no AVX2, AVX-512, VNNI or AMX flags")}), {LogicalCpus} logical CPUs";

    /// <summary>This machine's CPU; on systems without /proc/cpuinfo, the processor architecture and no flags.</summary>
    public static CpuFeatures Current() => Read("/proc/cpuinfo");

    /// <summary>Reads a cpuinfo file (the first processor's entry).</summary>
    public static CpuFeatures Read(string path)
    {
        string? model = null;
        var flags = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                var colon = line.IndexOf(':');
                if (colon < 0)
                {
                    if (model is not null && flags.Count > 0)
                    {
                        break; // the end of the first processor's entry
                    }
                    continue;
                }
                var key = line[..colon].Trim();
                var value = line[(colon + 1)..].Trim();
                if (key == "model name" && model is null)
                {
                    model = value;
                }
                else if (key is "flags" or "Features" && flags.Count == 0)
                {
                    flags.UnionWith(value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or not readable: the CPU is described by its architecture alone.
        }
        return new CpuFeatures(model ?? System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString(),
            Relevant.Where(flags.Contains).ToList(), Environment.ProcessorCount);
    }
}
