using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace LyftServing.AspNetCore.Internal;

/// <summary>
/// The Open Inference Protocol v2 over HTTP/REST: server and model health, server and model
/// metadata (from each version's <see cref="ModelSignature"/>) and inference with named tensors,
/// for every model whose features and output are <see cref="Tensors"/>, whatever its runtime.
/// Bodies go through the shared <see cref="JsonRequestReader"/>, models through the shared
/// <see cref="ModelResolver"/> (404 before the body is read), exceptions through the shared
/// <see cref="ExceptionProblems"/>; errors are the protocol's <c>{"error": "…"}</c>.
/// </summary>
/// <remarks>One instance per mapped group; thread-safe.</remarks>
internal sealed class OpenInferenceEndpoints
{
    public const string NameRouteValue = "model_name";
    public const string VersionRouteValue = "model_version";

    private static readonly RequestShape Shape = new(OpenInferenceRequest.Example, "send flat data in row-major order");

    private static readonly string ServerVersion =
        typeof(IModelProvider).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(IModelProvider).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    private readonly EndpointServices _shared;
    private readonly ErrorResponder _errors;
    private readonly ModelLinks _links;
    private readonly long _maxValues;

    public OpenInferenceEndpoints(EndpointServices shared, string prefix)
    {
        _shared = shared;
        _errors = new OpenInferenceErrorResponder(shared.Logger);
        _links = new ModelLinks(null, $"leave /versions/{{version}} out of the path to call the primary version; GET {prefix}/v2/models/{{name}} lists the loaded versions", TraceIdInBody: false);

        // Each value takes at least two bytes of JSON ("0,"): a shape that claims more is refused before anything is allocated.
        _maxValues = shared.Reader.MaxBodySize / 2;
    }

    /// <summary>
    /// <c>GET /v2</c>: the server's name, version and extensions: those mapped beside this
    /// <c>/v2</c> (endpoints carrying <see cref="OpenInferenceExtension"/> under its path, such as
    /// <c>model_repository</c> when <c>MapModelServingAdmin()</c> maps <c>/v2/repository</c>), as
    /// Triton reports its extensions in the server metadata.
    /// </summary>
    public static Task ServerMetadataAsync(HttpContext context)
    {
        var extensions = MappedExtensions(context);
        return WriteAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("name"u8, "lyftserving");
            writer.WriteString("version"u8, ServerVersion);
            writer.WriteStartArray("extensions"u8);
            foreach (var extension in extensions)
            {
                writer.WriteStringValue(extension);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    /// <summary>The extensions whose endpoints are mapped under the path of this <c>GET /v2</c>, in name order.</summary>
    private static SortedSet<string> MappedExtensions(HttpContext context)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        if (context.GetEndpoint() is not RouteEndpoint { RoutePattern.RawText: { } self }
            || context.RequestServices.GetService<EndpointDataSource>() is not { } endpoints)
        {
            return names;
        }

        var under = self.TrimEnd('/') + "/";
        foreach (var endpoint in endpoints.Endpoints)
        {
            if (endpoint is RouteEndpoint { RoutePattern.RawText: { } pattern } route
                && route.Metadata.GetMetadata<OpenInferenceExtension>() is { } extension
                && pattern.StartsWith(under, StringComparison.OrdinalIgnoreCase))
            {
                names.Add(extension.Name);
            }
        }

        return names;
    }

    /// <summary><c>GET /v2/health/live</c>: 200 whenever the process answers.</summary>
    public static Task LiveAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentLength = 0;
        return Task.CompletedTask;
    }

    /// <summary><c>GET /v2/health/ready</c>: 200 when the models are ready to serve (as the readiness health check decides), else 400; no body.</summary>
    public Task ReadyAsync(HttpContext context)
    {
        var ready = ModelServingReadinessCheck.Evaluate(_shared.Manager.GetStatus(), out _);
        context.Response.StatusCode = ready ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest;
        context.Response.ContentLength = 0;
        return Task.CompletedTask;
    }

    /// <summary><c>GET /v2/models/{name}[/versions/{version}]/ready</c>: 200 when the version (or the primary) can serve, 400 when not; 404 for an unknown model.</summary>
    public Task ModelReadyAsync(HttpContext context, string name, string? version)
    {
        var problem = _shared.Resolver.ResolveRoute(name, version, _links, out var client);
        if (problem is not null && problem.Kind != Problems.ModelVersionNotFound)
        {
            return _errors.WriteAsync(context, problem);
        }

        var ready = problem is null && (version is not null || TryGetStatus(name, out var status) && status.PrimaryVersion is not null);
        context.Response.StatusCode = ready ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest;
        context.Response.ContentLength = 0;
        return Task.CompletedTask;
    }

    /// <summary><c>GET /v2/models/{name}[/versions/{version}]</c>: name, loaded versions, platform (the runtime), inputs and outputs.</summary>
    public Task ModelMetadataAsync(HttpContext context, string name, string? version)
    {
        if (ModelResolver.CheckRouteNames(name, version) is { } invalid)
        {
            return _errors.WriteAsync(context, invalid);
        }

        if (!TryGetStatus(name, out var status))
        {
            return _errors.WriteAsync(context, ExceptionProblems.NotFound(name, _links));
        }

        var selected = version ?? status.PrimaryVersion;
        var versionStatus = status.Versions.FirstOrDefault(v => v.Version == selected && v.State == ModelVersionState.Ready);
        if (versionStatus is null)
        {
            return _errors.WriteAsync(context, version is null
                ? _shared.Exceptions.NotReady(name, null, _links)
                : ExceptionProblems.VersionNotFound(name, version, _links));
        }

        if (versionStatus.Signature is not { } signature)
        {
            return _errors.WriteAsync(context, NoTensorSignature(name));
        }

        return WriteAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("name"u8, name);
            writer.WriteStartArray("versions"u8);
            foreach (var loaded in status.Versions)
            {
                if (loaded.State == ModelVersionState.Ready)
                {
                    writer.WriteStringValue(loaded.Version);
                }
            }

            writer.WriteEndArray();
            writer.WriteString("platform"u8, status.Runtime ?? "dotnet");
            WriteSpecs(writer, "inputs"u8, signature.Inputs);
            WriteSpecs(writer, "outputs"u8, signature.Outputs);
            writer.WriteEndObject();
        });
    }

    /// <summary><c>POST /v2/models/{name}[/versions/{version}]/infer</c>.</summary>
    public async Task InferAsync(HttpContext context, string name, string? version)
    {
        var problem = _shared.Resolver.ResolveRoute(name, version, _links, out var client);
        if (problem is null && !IsTensorModel(client!))
        {
            problem = NoTensorSignature(name);
        }

        if (problem is not null)
        {
            await _errors.WriteAsync(context, problem).ConfigureAwait(false);
            return;
        }

        using var body = await _shared.Reader.ReadAsync(context, Shape).ConfigureAwait(false);
        if (body.Document is not { } document)
        {
            if (body.Problem is { } rejected)
            {
                await _errors.WriteAsync(context, rejected).ConfigureAwait(false);
            }

            return;
        }

        if (OpenInferenceRequest.TryRead(document.RootElement, _maxValues, out var request) is { } invalid)
        {
            await _errors.WriteAsync(context, new HttpProblem(Problems.InvalidRequest, invalid, name, version)).ConfigureAwait(false);
            return;
        }

        JsonPrediction prediction;
        try
        {
            var pending = client!.PredictFeaturesAsync(request!.Inputs, version, context.RequestAborted);
            prediction = pending.IsCompletedSuccessfully ? pending.Result : await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            if (_shared.Exceptions.ForCall(context, InRequest(ex, request!.Inputs), name, version, _links, "$") is { } failed)
            {
                await _errors.WriteAsync(context, failed).ConfigureAwait(false);
            }

            return;
        }

        if (JsonRequestReader.TimedOut(context))
        {
            await _errors.WriteAsync(context, ExceptionProblems.TimedOut(name) with { Version = prediction.ModelVersion }).ConfigureAwait(false);
            return;
        }

        var outputs = (Tensors)prediction.Output!;
        if (request.Outputs is { } selected && Array.Find(selected, o => !outputs.ContainsKey(o)) is { } unknown)
        {
            await _errors.WriteAsync(context, new HttpProblem(
                Problems.InvalidRequest,
                $"Model '{name}' has no output '{JsonRequestReader.Echo(unknown)}': its outputs are {string.Join(", ", outputs.Keys)}.",
                name,
                prediction.ModelVersion)).ConfigureAwait(false);
            return;
        }

        try
        {
            await WriteAsync(context, StatusCodes.Status200OK, writer => WriteResponse(writer, prediction, outputs, request)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // For example NaN or infinity in a float output: the model answered, but not in JSON.
            await _errors.WriteAsync(context, InferEndpoint.OutputNotWritable(context, _shared.Logger, prediction, ex, _links)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Names the request's input tensor in a features error: the model checks the tensors by name
    /// (<c>'$.x' has shape …</c>), and the protocol's caller sent input <c>x</c> as <c>$.inputs[i]</c>.
    /// </summary>
    private static Exception InRequest(Exception exception, Tensors inputs)
    {
        if (exception is not ModelFeaturesException { Path: { } path } features || !path.StartsWith("$.", StringComparison.Ordinal))
        {
            return exception;
        }

        var index = 0;
        foreach (var name in inputs.Keys)
        {
            if (path.Length >= name.Length + 2 && path.AsSpan(2).StartsWith(name) && (path.Length == name.Length + 2 || path[name.Length + 2] == '['))
            {
                // The tensor itself is the input's object; a value inside it is in its data.
                var rest = path[(name.Length + 2)..];
                var inRequest = rest.Length == 0 ? $"$.inputs[{index}]" : $"$.inputs[{index}].data{rest}";
                return new ModelFeaturesException(features.ModelName, inRequest, features.Message.Replace($"'{path}'", $"'{inRequest}'", StringComparison.Ordinal), features);
            }

            index++;
        }

        return exception;
    }

    /// <summary>Whether the protocol can call the model: it takes and returns named tensors.</summary>
    private static bool IsTensorModel(IJsonModelClient client) =>
        client.FeaturesTypeInfo.Type == typeof(Tensors) && client.OutputTypeInfo.Type == typeof(Tensors);

    private static HttpProblem NoTensorSignature(string name) => new(
        Problems.NoTensorSignature,
        $"Model '{name}' takes typed features, not named tensors, so the Open Inference Protocol cannot call it: call it with POST /infer and its JSON features.",
        name);

    private static void WriteResponse(Utf8JsonWriter writer, JsonPrediction prediction, Tensors outputs, OpenInferenceRequest request)
    {
        writer.WriteStartObject();
        writer.WriteString("model_name"u8, prediction.ModelName);
        writer.WriteString("model_version"u8, prediction.ModelVersion);
        if (request.Id is { } id)
        {
            writer.WriteString("id"u8, id);
        }

        if (request.Parameters.ValueKind == JsonValueKind.Object)
        {
            writer.WritePropertyName("parameters"u8);
            request.Parameters.WriteTo(writer);
        }

        writer.WriteStartArray("outputs"u8);
        foreach (var (name, tensor) in outputs)
        {
            if (request.Outputs is { } selected && Array.IndexOf(selected, name) < 0)
            {
                continue;
            }

            writer.WriteStartObject();
            writer.WriteString("name"u8, name);
            writer.WriteString("datatype"u8, OpenInferenceDatatypes.Name(tensor.ElementType));
            writer.WriteStartArray("shape"u8);
            foreach (var dimension in tensor.Shape)
            {
                writer.WriteNumberValue(dimension);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("data"u8);
            WriteValues(writer, tensor);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteValues(Utf8JsonWriter writer, Tensor tensor)
    {
        switch (tensor.ElementType)
        {
            case TensorElementType.Float32:
                foreach (var value in tensor.GetValues<float>())
                {
                    writer.WriteNumberValue(value);
                }

                break;
            case TensorElementType.Float64:
                foreach (var value in tensor.GetValues<double>())
                {
                    writer.WriteNumberValue(value);
                }

                break;
            case TensorElementType.Int32:
                foreach (var value in tensor.GetValues<int>())
                {
                    writer.WriteNumberValue(value);
                }

                break;
            case TensorElementType.Int64:
                foreach (var value in tensor.GetValues<long>())
                {
                    writer.WriteNumberValue(value);
                }

                break;
            case TensorElementType.Bool:
                foreach (var value in tensor.GetValues<bool>())
                {
                    writer.WriteBooleanValue(value);
                }

                break;
            default:
                foreach (var value in tensor.GetValues<string>())
                {
                    writer.WriteStringValue(value);
                }

                break;
        }
    }

    private static void WriteSpecs(Utf8JsonWriter writer, ReadOnlySpan<byte> property, IReadOnlyList<TensorSpec> specs)
    {
        writer.WriteStartArray(property);
        foreach (var spec in specs)
        {
            writer.WriteStartObject();
            writer.WriteString("name"u8, spec.Name);
            writer.WriteString("datatype"u8, OpenInferenceDatatypes.Name(spec.ElementType));
            writer.WriteStartArray("shape"u8);
            foreach (var dimension in spec.Dimensions)
            {
                writer.WriteNumberValue(dimension);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static async Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        using var buffer = new PooledBufferWriter(512);
        using (var writer = new Utf8JsonWriter(buffer, ProblemWriter.WriterOptions))
        {
            write(writer);
        }

        await JsonAnswer.WriteAsync(context, status, buffer).ConfigureAwait(false);
    }

    private bool TryGetStatus(string name, out ModelStatus status)
    {
        try
        {
            status = _shared.Manager.GetStatus(name);
            return true;
        }
        catch (ModelNotFoundException)
        {
            status = null!;
            return false;
        }
    }
}

/// <summary>Endpoint metadata: the endpoint belongs to the Open Inference Protocol extension <see cref="Name"/>, listed by <c>GET /v2</c> of the <c>/v2</c> it is mapped under.</summary>
internal sealed class OpenInferenceExtension(string name)
{
    /// <summary>The model repository extension (index, load, unload), as Triton names it.</summary>
    public static readonly OpenInferenceExtension ModelRepository = new("model_repository");

    public string Name { get; } = name;
}
