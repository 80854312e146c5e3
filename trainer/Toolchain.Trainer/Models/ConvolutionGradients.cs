using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Toolchain.Contracts;
using TorchSharp;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Models;

/// <summary>The geometry of one 2-D convolution, enough to run it alone.</summary>
/// <param name="InChannels">Input channels.</param>
/// <param name="OutChannels">Output channels.</param>
/// <param name="Height">Input height.</param>
/// <param name="Width">Input width.</param>
/// <param name="Kernel">Square kernel size.</param>
/// <param name="Stride">Stride.</param>
/// <param name="Padding">Zero padding on each side.</param>
/// <param name="Dilation">Dilation.</param>
/// <param name="Groups">Groups.</param>
public sealed record ConvGeometry(long InChannels, long OutChannels, long Height, long Width, long Kernel, long Stride, long Padding, long Dilation, long Groups);

/// <summary>
/// Makes sure libtorch computes the input gradient of a convolution correctly on this CPU, and switches it to its
/// native convolutions when it does not.
/// </summary>
/// <remarks>
/// libtorch 2.10 runs float32 CPU convolutions through oneDNN 3.7.1. On some machines (seen on an AMD EPYC family 26
/// virtual machine with AVX-512, whose CPUID cache-topology leaves 4 and 0x8000001D read all zeros) oneDNN's JIT
/// backward-data kernels for blocked layouts (<c>jit:avx512_core</c> and <c>jit:avx2</c>, aBcd16b/aBcd8b) leave parts
/// of the input gradient unwritten whenever the output channels are not a multiple of the vector block: the gradient
/// then holds whatever the memory held, finite garbage or NaN, differently on every call. A conv(6,3) after another
/// layer trained on garbage and its weights turned NaN. The forward pass and the weight gradient are right, and
/// oneDNN's GEMM convolution and libtorch's native one are right. So each convolution whose input gradient training
/// needs is run once, alone, in float32 against float64 (which never goes through oneDNN); if any disagrees, oneDNN
/// is turned off for the process through <c>at::Context::setUserEnabledMkldnn(false)</c> (TorchSharp does not wrap
/// it; the symbol is exported by libtorch_cpu). A healthy machine keeps oneDNN's speed.
/// </remarks>
public static class ConvolutionGradients
{
    private const int Trials = 3;
    // oneDNN serves any batch above 1 and the fault shows at every such size, but not on every call: a small and a
    // training-sized batch are both probed.
    private static readonly long[] ProbeBatches = [2, 16];
    private static readonly ConcurrentDictionary<ConvGeometry, bool> Checked = new();
    private static readonly object Gate = new();
    private static string? _switchedOff;

    /// <summary>Whether oneDNN was turned off for this process, and why; null while it is in use.</summary>
    public static string? NativeConvolutionsReason => Volatile.Read(ref _switchedOff);

    /// <summary>
    /// Checks each geometry not checked before, and turns oneDNN off at the first that gets a wrong input gradient.
    /// Returns a one-line note for the user when any of <paramref name="convolutions"/> is one oneDNN gets wrong (found
    /// now or earlier in the process), else null.
    /// </summary>
    public static string? Verify(IEnumerable<ConvGeometry> convolutions)
    {
        ArgumentNullException.ThrowIfNull(convolutions);
        foreach (var g in convolutions)
        {
            if (!Checked.TryGetValue(g, out var right))
            {
                if (NativeConvolutionsReason is not null)
                {
                    continue; // libtorch's native convolutions are in use, and they are right
                }
                right = InputGradientIsRight(g);
                Checked[g] = right;
                if (!right)
                {
                    SwitchOff(g);
                }
            }
            if (!right)
            {
                return NativeConvolutionsReason;
            }
        }
        return null;
    }

    /// <summary>Runs <paramref name="g"/> forward and backward in float32 and float64 and compares the input gradients.</summary>
    internal static bool InputGradientIsRight(ConvGeometry g) => ProbeBatches.All(batch => InputGradientIsRight(g, batch));

    private static bool InputGradientIsRight(ConvGeometry g, long batch)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(20_240_917);
        var weight = randn([g.OutChannels, g.InChannels / g.Groups, g.Kernel, g.Kernel], generator: generator) * 0.3;
        var input = randn([batch, g.InChannels, g.Height, g.Width], generator: generator);
        long[] stride = [g.Stride, g.Stride], padding = [g.Padding, g.Padding], dilation = [g.Dilation, g.Dilation];
        Tensor? reference = null, upstream = null;
        for (int t = 0; t < Trials; t++)
        {
            var x = input.clone().requires_grad_(true);
            var y = nn.functional.conv2d(x, weight, null, stride, padding, dilation, g.Groups);
            upstream ??= randn(y.shape, generator: generator);
            // Unwritten gradient memory holds what the block held before, and a freed block of this size is what the
            // allocator hands out next: freed right before, a block of NaN makes an unwritten part show as NaN instead
            // of as an earlier, correct gradient (which let a faulty machine pass the probe now and then).
            full(input.shape, float.NaN).Dispose();
            y.backward([upstream]);
            if (reference is null)
            {
                var x64 = input.to(float64).requires_grad_(true);
                nn.functional.conv2d(x64, weight.to(float64), null, stride, padding, dilation, g.Groups).backward([upstream.to(float64)]);
                reference = x64.grad!;
            }
            // float32 rounding of sums of a few hundred unit-scale products stays far below 1e-3; the fault gives NaN or O(1).
            var error = (x.grad!.to(float64) - reference).abs().max().item<double>();
            if (!(error < 1e-3))
            {
                return false;
            }
        }
        return true;
    }

    private static void SwitchOff(ConvGeometry g)
    {
        lock (Gate)
        {
            if (_switchedOff is not null)
            {
                return;
            }
            try
            {
                LibTorch.SetUserEnabledMkldnn(LibTorch.GlobalContext(), false);
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                throw new ToolchainException(
                    $"this CPU's oneDNN computes wrong convolution gradients (conv {g.InChannels}→{g.OutChannels} channels on {g.Height}×{g.Width}) " +
                    $"and this libtorch offers no way to turn oneDNN off ({e.Message}); training would learn from garbage");
            }
            var note = $"oneDNN gave a wrong input gradient for a {g.InChannels}→{g.OutChannels}-channel convolution on this CPU; " +
                "using libtorch's native convolutions instead (correct, slower)";
            Volatile.Write(ref _switchedOff, note);
        }
    }

    /// <summary>The two libtorch entry points TorchSharp does not wrap (Itanium C++ ABI names, as libtorch_cpu exports them).</summary>
    private static class LibTorch
    {
        [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
        public static extern IntPtr GlobalContext();

        [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
        public static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
    }
}
