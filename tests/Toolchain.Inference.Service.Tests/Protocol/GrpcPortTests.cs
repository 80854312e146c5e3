using System.Net;
using Grpc.Net.Client;
using Inference;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Protocol;

/// <summary>With <c>--grpc-urls</c>, the gRPC form listens on its own cleartext HTTP/2 port beside the HTTP/1.1 one.</summary>
public sealed class GrpcPortTests
{
    [Fact]
    public async Task GrpcAnswersOnItsOwnHttp2PortAndRestOnTheOther()
    {
        using var dir = new TempDir();
        var model = TinyOnnxModels.WriteBinary(dir.File("xor.onnx"));
        var app = ServiceApp.Build(
        [
            "--urls", "http://127.0.0.1:0", "--grpc-urls", "http://127.0.0.1:0", "--Models:xor:Path", model,
            "--Logging:LogLevel:Default", "Warning", "--Classifier:Provider", "Cpu", "--Classifier:IntraOpThreads", "1",
            "--Shutdown:Drain", "00:00:00",
        ]);
        await app.StartAsync();
        try
        {
            await app.Services.GetRequiredService<Toolchain.Inference.Hosting.OnnxClassifier>().StartAsync();
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToArray();
            Assert.Equal(2, addresses.Length);
            using var http = new HttpClient();
            var restAddresses = new List<string>();
            string? grpcAddress = null;
            foreach (var address in addresses)
            {
                try
                {
                    using var response = await http.GetAsync(new Uri(new Uri(address), "/v2/models/xor/ready"));
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        restAddresses.Add(address);
                        continue;
                    }
                }
                catch (HttpRequestException)
                {
                }
                // The HTTP/2-only port refuses HTTP/1.1 (Kestrel answers 400 or drops the connection).
                grpcAddress = address;
            }
            Assert.Single(restAddresses);
            Assert.NotNull(grpcAddress);
            using var channel = GrpcChannel.ForAddress(grpcAddress);
            var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
            Assert.True((await client.ModelReadyAsync(new ModelReadyRequest { Name = "xor" })).Ready);
            var request = new ModelInferRequest { ModelName = "xor" };
            var input = new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP64", Shape = { 1, 2 }, Contents = new InferTensorContents() };
            input.Contents.Fp64Contents.AddRange([1.0, 1.0]);
            request.Inputs.Add(input);
            var output = (await client.ModelInferAsync(request)).Outputs.Single();
            Assert.Equal(ProtocolRequests.Sigmoid(1), output.Contents.Fp64Contents.Single());
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
