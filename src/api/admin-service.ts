import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { listAuditRecords, verifyAudit } from "../core/admin/audit-trail.js";
import { createPrincipalAsAdmin, deletePrincipalAsAdmin, listPrincipals } from "../core/admin/principal-admin.js";
import type { CoreDeps } from "../core/deps.js";
import type { AuditRecord } from "../domain/security-records.js";
import type { AuditProblem as CoreProblem } from "../security/audit-chain.js";
import * as pb from "../../gen/kms/v1/admin_service_pb.js";
import type { Call } from "../edge/pipeline.js";
import type { CallImpl } from "./wrap-service.js";

const OUTCOMES = { ok: pb.AuditOutcome.OK, error: pb.AuditOutcome.ERROR } as const;
const PROBLEMS: Record<CoreProblem, pb.AuditProblem> = {
  hash: pb.AuditProblem.HASH,
  link: pb.AuditProblem.LINK,
  order: pb.AuditProblem.ORDER,
  head: pb.AuditProblem.HEAD,
};

function principal(p: { name: string; admin: boolean; accessKeyId: string; createdAt: Date }) {
  return { name: p.name, admin: p.admin, accessKeyId: p.accessKeyId, createTime: timestampFromDate(p.createdAt) };
}

function auditRecord(r: AuditRecord) {
  return {
    seq: BigInt(r.seq),
    time: timestampFromDate(r.at),
    principal: r.principal,
    operation: r.operation,
    keyId: r.keyId ?? "",
    requestId: r.requestId,
    outcome: OUTCOMES[r.outcome],
    errorCode: r.errorCode ?? "",
    hash: r.hash,
    prevHash: r.prevHash,
  };
}

function outcomeOf(v: pb.AuditOutcome): "ok" | "error" | undefined {
  if (v === pb.AuditOutcome.OK) return "ok";
  if (v === pb.AuditOutcome.ERROR) return "error";
  return undefined;
}

/**
 * `kms.v1.AdminService`: principals and the audit trail over the API, for the web console and
 * scripts. A thin mapper over `src/core/admin`, which checks that the caller is an admin.
 */
export function createAdminService(deps: CoreDeps): CallImpl<typeof pb.AdminService> {
  return {
    async getCallerIdentity(_req: pb.GetCallerIdentityRequest, call: Call) {
      return { name: call.principal.name, admin: call.principal.admin };
    },
    async listPrincipals(_req: pb.ListPrincipalsRequest, call: Call) {
      return { principals: (await listPrincipals(deps, call)).map(principal) };
    },
    async createPrincipal(req: pb.CreatePrincipalRequest, call: Call) {
      const { principal: created, credentials } = await createPrincipalAsAdmin(deps, call, {
        name: req.name,
        admin: req.admin,
      });
      return {
        principal: principal(created),
        token: credentials.token,
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
      };
    },
    async deletePrincipal(req: pb.DeletePrincipalRequest, call: Call) {
      await deletePrincipalAsAdmin(deps, call, req.name);
      return {};
    },
    async listAuditRecords(req: pb.ListAuditRecordsRequest, call: Call) {
      const page = await listAuditRecords(deps, call, {
        principal: req.principal,
        keyId: req.keyId,
        operation: req.operation,
        outcome: outcomeOf(req.outcome),
        from: req.startTime ? timestampDate(req.startTime) : undefined,
        to: req.endTime ? timestampDate(req.endTime) : undefined,
        pageSize: req.pageSize,
        pageToken: req.pageToken,
      });
      return { records: page.records.map(auditRecord), nextPageToken: page.nextToken ?? "" };
    },
    async verifyAuditChain(req: pb.VerifyAuditChainRequest, call: Call) {
      const result = await verifyAudit(deps, call, req.expectHeadHash || undefined);
      if (result.ok) {
        return {
          intact: true,
          recordCount: BigInt(result.count),
          headSeq: BigInt(result.head?.seq ?? 0),
          headHash: result.head?.hash ?? "",
        };
      }
      return { intact: false, brokenSeq: BigInt(result.seq), problem: PROBLEMS[result.problem] };
    },
  };
}
