CREATE TABLE "validation_reports" (
	"epoch_id" text NOT NULL,
	"validator_hotkey" text NOT NULL,
	"results_sha256" text NOT NULL,
	"miners_scored" integer,
	"reported_at" timestamp with time zone NOT NULL,
	CONSTRAINT "validation_reports_epoch_id_validator_hotkey_pk" PRIMARY KEY("epoch_id","validator_hotkey")
);
--> statement-breakpoint
ALTER TABLE "validation_reports" ADD CONSTRAINT "validation_reports_epoch_id_epochs_id_fk" FOREIGN KEY ("epoch_id") REFERENCES "public"."epochs"("id") ON DELETE cascade ON UPDATE no action;