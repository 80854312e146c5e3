using System.Globalization;
using System.Text.RegularExpressions;
using Toolchain.Inference.Service.Lifecycle;
using Toolchain.Inference.Service.Repository;
using YamlDotNet.RepresentationModel;

namespace Toolchain.Inference.Service.Tests.Deploy;

/// <summary>
/// deploy/ and the Dockerfile against the service itself: every manifest parses, has the right kind and apiVersion, and
/// its ports, probe paths, arguments and grace period agree with the service's own constants and options.
/// </summary>
public sealed partial class DeployManifestTests
{
    private static readonly Dictionary<string, string> ApiVersionOfKind = new()
    {
        ["Deployment"] = "apps/v1",
        ["Service"] = "v1",
        ["HorizontalPodAutoscaler"] = "autoscaling/v2",
        ["PodDisruptionBudget"] = "policy/v1",
        ["ServingRuntime"] = "serving.kserve.io/v1alpha1",
        ["InferenceService"] = "serving.kserve.io/v1beta1",
    };

    [Fact]
    public void Every_manifest_parses_with_a_known_kind_its_apiVersion_and_a_name()
    {
        var docs = Manifests.All();

        Assert.Equal(7, docs.Count);
        Assert.All(docs, d =>
        {
            var kind = d.Doc.Text("kind");
            Assert.True(ApiVersionOfKind.ContainsKey(kind), $"{d.File}: unexpected kind {kind}");
            Assert.Equal(ApiVersionOfKind[kind], d.Doc.Text("apiVersion"));
            Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", d.Doc.Text("metadata.name"));
        });
        Assert.Equal(["Deployment", "HorizontalPodAutoscaler", "InferenceService", "InferenceService", "PodDisruptionBudget", "Service", "ServingRuntime"],
            docs.Select(d => d.Doc.Text("kind")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_deployment_probes_ports_and_grace_period_match_the_service()
    {
        var deployment = Manifests.One("kubernetes/deployment.yaml", "Deployment");
        var pod = deployment.At("spec.template.spec");
        var container = Assert.Single(pod.Items("containers"));
        var http = Assert.Single(container.Items("ports"));

        Assert.Equal(ContainerDefaults.HttpPort, http.Int("containerPort"));
        Assert.Equal(ServiceHealth.ReadyPath, container.Text("readinessProbe.httpGet.path"));
        Assert.Equal(ServiceHealth.LivePath, container.Text("livenessProbe.httpGet.path"));
        Assert.Equal(http.Text("name"), container.Text("readinessProbe.httpGet.port"));
        Assert.Equal(http.Text("name"), container.Text("livenessProbe.httpGet.port"));
        var args = container.Strings("args");
        Assert.Equal(ContainerDefaults.ModelRepository, Arg(args, "--" + ModelRepositoryConfiguration.Key));
        Assert.Equal(ContainerDefaults.ModelRepository, Assert.Single(container.Items("volumeMounts"), m => m.Text("name") == "models").Text("mountPath"));

        // The grace period covers preStop, then the service's drain and its time for requests in flight.
        var drain = TimeSpan.Parse(Arg(args, $"--{ShutdownOptions.Section}:{nameof(ShutdownOptions.Drain)}"), CultureInfo.InvariantCulture);
        var requests = TimeSpan.Parse(Arg(args, $"--{ShutdownOptions.Section}:{nameof(ShutdownOptions.RequestTimeout)}"), CultureInfo.InvariantCulture);
        var preStop = TimeSpan.FromSeconds(container.Int("lifecycle.preStop.sleep.seconds"));
        var grace = TimeSpan.FromSeconds(pod.Int("terminationGracePeriodSeconds"));
        Assert.True(grace > preStop + drain + requests, $"grace {grace} does not cover preStop {preStop} + drain {drain} + requests {requests}");
        // ...and the drain outlasts the readiness probe's period times its failure threshold, so the pod is out of
        // rotation before the listener closes.
        Assert.True(drain >= TimeSpan.FromSeconds(container.Int("readinessProbe.periodSeconds") * container.Int("readinessProbe.failureThreshold")));

        Assert.Equal("true", container.Text("securityContext.readOnlyRootFilesystem"));
        Assert.Equal("true", pod.Text("securityContext.runAsNonRoot"));
        Assert.Equal("/tmp", Assert.Single(container.Items("volumeMounts"), m => m.Text("name") == "tmp").Text("mountPath"));
    }

    [Fact]
    public void The_service_hpa_and_pdb_select_the_deployments_pods()
    {
        var deployment = Manifests.One("kubernetes/deployment.yaml", "Deployment");
        var podLabels = Labels(deployment.At("spec.template.metadata.labels"));
        var name = deployment.Text("metadata.name");

        Assert.Subset(podLabels, Labels(deployment.At("spec.selector.matchLabels")));
        var service = Manifests.One("kubernetes/service.yaml", "Service");
        Assert.Subset(podLabels, Labels(service.At("spec.selector")));
        var port = Assert.Single(service.Items("spec.ports"));
        Assert.Equal("http", port.Text("targetPort"));
        var hpa = Manifests.One("kubernetes/hpa.yaml", "HorizontalPodAutoscaler");
        Assert.Equal(("Deployment", name, "apps/v1"), (hpa.Text("spec.scaleTargetRef.kind"), hpa.Text("spec.scaleTargetRef.name"), hpa.Text("spec.scaleTargetRef.apiVersion")));
        Assert.Equal("cpu", Assert.Single(hpa.Items("spec.metrics")).Text("resource.name"));
        Assert.True(hpa.Int("spec.minReplicas") <= hpa.Int("spec.maxReplicas"));
        var pdb = Manifests.One("kubernetes/pdb.yaml", "PodDisruptionBudget");
        Assert.Subset(podLabels, Labels(pdb.At("spec.selector.matchLabels")));
        Assert.True(pdb.Int("spec.maxUnavailable") < hpa.Int("spec.minReplicas"));
    }

    [Fact]
    public void The_kserve_runtime_speaks_v2_and_grpc_v2_on_the_services_port_and_probes_and_the_inference_service_uses_it()
    {
        var runtime = Manifests.One("kserve/serving-runtime.yaml", "ServingRuntime");
        var container = Assert.Single(runtime.Items("spec.containers"));

        Assert.Equal(["v2", "grpc-v2"], runtime.Strings("spec.protocolVersions"));
        Assert.Equal(ContainerDefaults.HttpPort, Assert.Single(container.Items("ports")).Int("containerPort"));
        Assert.Equal(ServiceHealth.ReadyPath, container.Text("readinessProbe.httpGet.path"));
        Assert.Equal(ServiceHealth.LivePath, container.Text("livenessProbe.httpGet.path"));
        Assert.Equal(ContainerDefaults.HttpPort, container.Int("readinessProbe.httpGet.port"));
        var args = container.Strings("args");
        Assert.Equal("/mnt/models", Arg(args, "--" + ModelRepositoryConfiguration.Key));
        Assert.EndsWith(":" + ContainerDefaults.HttpPort.ToString(CultureInfo.InvariantCulture), Arg(args, "--urls"));

        var isvc = Manifests.One("kserve/inference-service.yaml", "InferenceService");
        Assert.Equal(runtime.Text("metadata.name"), isvc.Text("spec.predictor.model.runtime"));
        Assert.Equal("v2", isvc.Text("spec.predictor.model.protocolVersion"));
        Assert.Contains(isvc.Text("spec.predictor.model.modelFormat.name"), runtime.Items("spec.supportedModelFormats").Select(f => f.Text("name")));
    }

    [Fact]
    public void The_triton_inference_service_serves_the_same_repository_on_the_stock_triton_runtime()
    {
        var ours = Manifests.One("kserve/inference-service.yaml", "InferenceService");
        var triton = Manifests.One("triton/inference-service.yaml", "InferenceService");

        Assert.Equal("kserve-tritonserver", triton.Text("spec.predictor.model.runtime"));
        Assert.Equal("v2", triton.Text("spec.predictor.model.protocolVersion"));
        Assert.Equal("onnx", triton.Text("spec.predictor.model.modelFormat.name"));
        Assert.Equal(ours.Text("spec.predictor.model.storageUri"), triton.Text("spec.predictor.model.storageUri"));
    }

    [Fact]
    public void The_dockerfile_listens_exposes_and_health_checks_where_the_service_and_manifests_expect()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Manifests.DeployFolder, "Dockerfile"));
        var port = ContainerDefaults.HttpPort.ToString(CultureInfo.InvariantCulture);

        Assert.Matches($@"(?m)^EXPOSE {port}$", dockerfile);
        Assert.Matches($@"ASPNETCORE_URLS=http://\+:{port}\b", dockerfile);
        var healthcheck = HealthcheckCommand().Match(dockerfile);
        Assert.True(healthcheck.Success, "no HEALTHCHECK ... CMD");
        Assert.Contains($"/dev/tcp/127.0.0.1/{port}", healthcheck.Value);
        Assert.Contains($"GET {ServiceHealth.LivePath} ", healthcheck.Value);
        Assert.Matches(@"(?m)^USER \$APP_UID$", dockerfile);
        Assert.Matches(@"(?m)^FROM mcr\.microsoft\.com/dotnet/sdk:\S+ AS build$", dockerfile);
        Assert.Matches(@"(?m)^FROM mcr\.microsoft\.com/dotnet/aspnet:\S+ AS base$", dockerfile);
        Assert.Contains($"CMD [\"--{ModelRepositoryConfiguration.Key}\", \"{ContainerDefaults.ModelRepository}\"]", dockerfile);
        Assert.True(File.Exists(Path.Combine(Manifests.DeployFolder, "Dockerfile.dockerignore")));
    }

    [Fact]
    public void The_dockerfile_copies_every_project_the_service_is_built_from()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Manifests.DeployFolder, "Dockerfile"));
        var service = Path.Combine(Manifests.Root, "inference", "Toolchain.Inference.Service", "Toolchain.Inference.Service.csproj");

        var projects = ProjectClosure(service);

        Assert.Contains(projects, p => p.EndsWith("Toolchain.Imaging.csproj", StringComparison.Ordinal));
        Assert.All(projects, project =>
        {
            var folder = Path.GetRelativePath(Manifests.Root, Path.GetDirectoryName(project)!).Replace('\\', '/');
            Assert.Contains($"COPY {folder}/{Path.GetFileName(project)} {folder}/\n", dockerfile);
            Assert.Contains($"COPY {folder}/ {folder}/\n", dockerfile);
        });
    }

    /// <summary>A project and every project it references, directly or not, as full paths.</summary>
    private static SortedSet<string> ProjectClosure(string project)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.GetFullPath(project)]);
        while (pending.TryPop(out var next))
        {
            if (!found.Add(next))
            {
                continue;
            }
            foreach (var reference in System.Xml.Linq.XDocument.Load(next).Descendants("ProjectReference"))
            {
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(next)!, (string)reference.Attribute("Include")!)));
            }
        }
        return found;
    }

    [Theory]
    [InlineData("kubernetes/deployment.yaml", "Deployment", "spec.template.spec.containers")]
    [InlineData("kserve/serving-runtime.yaml", "ServingRuntime", "spec.containers")]
    public void The_manifests_turn_the_draw_page_and_the_model_download_off(string file, string kind, string containers)
    {
        var container = Assert.Single(Manifests.One(file, kind).Items(containers));
        var env = container.Items("env").ToDictionary(e => e.Text("name"), e => e.Text("value"));

        Assert.Equal("false", env[ServiceApp.DrawPageKey.Replace(":", "__", StringComparison.Ordinal)]);
    }

    [Fact]
    public void The_image_turns_the_draw_page_and_the_model_download_off()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Manifests.DeployFolder, "Dockerfile"));

        Assert.Matches($@"(?m)^\s*{ServiceApp.DrawPageKey.Replace(":", "__", StringComparison.Ordinal)}=false\s*$", dockerfile);
        Assert.DoesNotContain("ServiceApp.ContainerPort", dockerfile);
    }

    private static string Arg(IReadOnlyList<string> args, string name)
    {
        var i = args.ToList().IndexOf(name);
        Assert.True(i >= 0 && i + 1 < args.Count, $"no {name} VALUE in [{string.Join(' ', args)}]");
        return args[i + 1];
    }

    private static HashSet<string> Labels(YamlNode node) =>
        [.. ((YamlMappingNode)node).Children.Select(kv => $"{((YamlScalarNode)kv.Key).Value}={((YamlScalarNode)kv.Value).Value}")];

    [GeneratedRegex(@"HEALTHCHECK[^\n]*\\\n\s*CMD [^\n]+")]
    private static partial Regex HealthcheckCommand();
}
