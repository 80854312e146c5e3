using TorchSharp;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Tests;

public class TorchSharpLoadsTests
{
    [Fact]
    public void A_tensor_is_created_and_one_SGD_step_lowers_the_loss()
    {
        torch.manual_seed(0);
        var model = nn.Linear(3, 1);
        var opt = optim.SGD(model.parameters(), 0.01);
        using var x = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        using var y = tensor(new float[] { 1, -1 }, [2, 1]);
        float Loss() { using var l = nn.functional.mse_loss(model.forward(x), y); return l.item<float>(); }

        var before = Loss();
        opt.zero_grad();
        using (var loss = nn.functional.mse_loss(model.forward(x), y))
        {
            loss.backward();
        }
        opt.step();

        Assert.Equal(new long[] { 2, 3 }, x.shape);
        Assert.True(Loss() < before, "one SGD step should lower the loss");
    }
}
